import { parseAvailability, type AvailabilitySchedule } from './availability-schedule';
import { isOnDuty } from './on-duty';

const berlin: AvailabilitySchedule = {
  enabled: true,
  time_zone: 'Europe/Berlin',
  working_days: [1, 2, 3, 4, 5],
  hours: { start: '09:00', end: '17:00' },
  holidays: [{ start: '2026-12-24', end: '2026-12-26' }],
  auto_reply: false,
};
const at = (iso: string) => Date.parse(iso);

describe('isOnDuty', () => {
  it('follows the working hours on a weekday, start included and end excluded', () => {
    expect(isOnDuty(berlin, at('2026-12-07T07:59:00Z'))).toBe(false); // Mon 08:59 in Berlin (UTC+1)
    expect(isOnDuty(berlin, at('2026-12-07T08:00:00Z'))).toBe(true); // Mon 09:00
    expect(isOnDuty(berlin, at('2026-12-07T15:59:00Z'))).toBe(true); // Mon 16:59
    expect(isOnDuty(berlin, at('2026-12-07T16:00:00Z'))).toBe(false); // Mon 17:00
  });

  it('rests over the weekend, from Friday evening to Monday morning', () => {
    expect(isOnDuty(berlin, at('2026-12-11T15:30:00Z'))).toBe(true); // Fri 16:30
    expect(isOnDuty(berlin, at('2026-12-11T16:30:00Z'))).toBe(false); // Fri 17:30
    expect(isOnDuty(berlin, at('2026-12-12T10:00:00Z'))).toBe(false); // Sat 11:00
    expect(isOnDuty(berlin, at('2026-12-13T10:00:00Z'))).toBe(false); // Sun 11:00
    expect(isOnDuty(berlin, at('2026-12-13T23:30:00Z'))).toBe(false); // Mon 00:30
    expect(isOnDuty(berlin, at('2026-12-14T08:30:00Z'))).toBe(true); // Mon 09:30
  });

  it('keeps local hours across the change to summer time (UTC+1 to UTC+2 on 29 March 2026)', () => {
    expect(isOnDuty(berlin, at('2026-03-27T08:30:00Z'))).toBe(true); // Fri 09:30 CET
    expect(isOnDuty(berlin, at('2026-03-30T07:30:00Z'))).toBe(true); // Mon 09:30 CEST
    expect(isOnDuty(berlin, at('2026-03-30T06:30:00Z'))).toBe(false); // Mon 08:30 CEST, 09:30 had it been CET
    expect(isOnDuty(berlin, at('2026-03-30T15:30:00Z'))).toBe(false); // Mon 17:30 CEST
  });

  it('follows the user to another time zone: the same instant is working time in one, night in the other', () => {
    const tokyo = { ...berlin, time_zone: 'Asia/Tokyo' };
    const instant = at('2026-12-08T01:00:00Z'); // Tue 02:00 in Berlin, Tue 10:00 in Tokyo
    expect(isOnDuty(berlin, instant)).toBe(false);
    expect(isOnDuty(tokyo, instant)).toBe(true);
  });

  it('rests on holidays, whole local days', () => {
    expect(isOnDuty(berlin, at('2026-12-24T10:00:00Z'))).toBe(false); // Thu, holiday
    expect(isOnDuty(berlin, at('2026-12-23T10:00:00Z'))).toBe(true);
  });

  it('is always on duty when the schedule is turned off', () => {
    expect(isOnDuty({ ...berlin, enabled: false }, at('2026-12-13T10:00:00Z'))).toBe(true);
  });
});

describe('parseAvailability', () => {
  const valid = { time_zone: 'Europe/Berlin', working_days: [1, 2, 3, 4, 5], hours: { start: '09:00', end: '17:00' } };

  it('accepts a schedule and fills the defaults', () => {
    expect(parseAvailability(valid)).toEqual({
      ok: true,
      schedule: { ...valid, enabled: true, holidays: [], auto_reply: false },
    });
  });

  it('reports every problem at once: impossible times, unknown zones, impossible dates, overlapping holidays', () => {
    const result = parseAvailability({
      time_zone: 'Mars/Olympus_Mons',
      working_days: [1, 8],
      hours: { start: '25:00', end: '09:60' },
      holidays: [
        { start: '2026-02-30', end: '2026-03-01' },
        { start: '2026-12-20', end: '2026-12-27' },
        { start: '2026-12-24', end: '2026-12-31' },
      ],
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.join('\n');
    expect(problems).toContain('unknown time zone "Mars/Olympus_Mons"');
    expect(problems).toContain('working_days.1');
    expect(problems).toContain('"25:00"');
    expect(problems).toContain('"09:60"');
    expect(problems).toContain('"2026-02-30"');
  });

  it('refuses overlapping holidays and hours that end before they start', () => {
    const result = parseAvailability({
      ...valid,
      hours: { start: '17:00', end: '09:00' },
      holidays: [
        { start: '2026-12-20', end: '2026-12-27' },
        { start: '2026-12-24', end: '2026-12-31' },
      ],
    });
    expect(result).toEqual({
      ok: false,
      problems: ['hours: hours.start must be before hours.end', 'holidays: holidays overlap'],
    });
  });
});
