import type { AvailabilitySchedule } from './availability-schedule';
import { backOnDutyAt, localWeekdayAndTime } from './back-on-duty';

const newYork: AvailabilitySchedule = {
  enabled: true,
  time_zone: 'America/New_York',
  working_days: [1, 2, 3, 4, 5],
  hours: { start: '09:00', end: '17:00' },
  holidays: [],
  auto_reply: false,
};
const at = (iso: string) => Date.parse(iso);

describe('backOnDutyAt', () => {
  it('is now while on duty', () => {
    expect(backOnDutyAt(newYork, at('2026-12-07T15:00:00Z'))).toBe(at('2026-12-07T15:00:00Z'));
  });

  it('names Monday 09:00 local over a weekend that crosses the switch to summer time (8 March 2026)', () => {
    // Friday 6 March 18:00 EST; Monday 9 March 09:00 is EDT (UTC-4), 13:00 UTC.
    const back = backOnDutyAt(newYork, at('2026-03-06T23:00:00Z'));
    expect(back).toBe(at('2026-03-09T13:00:00Z'));
    expect(localWeekdayAndTime('America/New_York', back ?? 0)).toBe('Mon 09:00');
  });

  it('skips holidays and returns the same morning before work starts', () => {
    const withHoliday = { ...newYork, holidays: [{ start: '2026-12-24', end: '2026-12-25' }] };
    expect(backOnDutyAt(withHoliday, at('2026-12-23T23:00:00Z'))).toBe(at('2026-12-28T14:00:00Z'));
    expect(backOnDutyAt(newYork, at('2026-12-07T12:00:00Z'))).toBe(at('2026-12-07T14:00:00Z'));
  });
});
