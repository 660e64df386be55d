import type { HearthConfig } from '@hearth/config';
import { withAdminOperations } from './admin-context';

export interface SetDefaultOptions {
  readonly tz: string;
  readonly days: string;
  readonly hours: string;
  readonly holiday?: string[];
  readonly usersMay?: string;
}

const DAY_NUMBERS: Readonly<Record<string, number>> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };
const USERS_MAY_FLAGS: Readonly<Record<string, string>> = {
  override: 'override',
  'time-zone': 'change_time_zone',
  'extend-hours': 'extend_hours',
  'add-holidays': 'add_holidays',
  disable: 'disable',
};

/** `hearth admin availability set-default`: the same body as `PUT /_hearth/admin/v1/availability/default`. */
export async function setAvailabilityDefaultCommand(config: HearthConfig, options: SetDefaultOptions): Promise<void> {
  const body = {
    schedule: {
      time_zone: options.tz,
      working_days: parseDays(options.days),
      hours: parseHours(options.hours),
      holidays: (options.holiday ?? []).map(parseHoliday),
    },
    ...(options.usersMay === undefined ? {} : { users_may: parseUsersMay(options.usersMay) }),
  };
  const stored = await withAdminOperations(config, (admin) => admin.setAvailabilityDefault(body));
  process.stdout.write(`${JSON.stringify(stored, null, 2)}\n`);
}

export async function showAvailabilityDefaultCommand(config: HearthConfig): Promise<void> {
  const current = await withAdminOperations(config, (admin) => admin.showAvailabilityDefault());
  process.stdout.write(current ? `${JSON.stringify(current, null, 2)}\n` : 'no default availability is set\n');
}

/** `mon-fri`, `mon,wed,fri` or `sat-sun`: ISO weekday numbers, Monday 1. */
export function parseDays(value: string): number[] {
  const days = new Set<number>();
  for (const part of value.toLowerCase().split(',')) {
    const names = part.split('-');
    const from = DAY_NUMBERS[names[0]?.trim() ?? ''];
    const to = DAY_NUMBERS[names.at(-1)?.trim() ?? ''];
    if (names.length > 2 || from === undefined || to === undefined || from > to)
      throw new Error(`--days expects days such as mon-fri or mon,wed,fri, got "${value}"`);
    for (let day = from; day <= to; day++) days.add(day);
  }
  return [...days];
}

/** `09:00-17:30`; the server checks the times themselves. */
function parseHours(value: string): { start: string; end: string } {
  const [start, end, ...rest] = value.split('-');
  if (start === undefined || end === undefined || rest.length > 0)
    throw new Error(`--hours expects START-END such as 09:00-17:30, got "${value}"`);
  return { start, end };
}

/** `2026-12-24` or `2026-12-24..2026-12-26`, both ends included. */
function parseHoliday(value: string): { start: string; end: string } {
  const [start = '', end = start] = value.split('..');
  return { start, end };
}

/** `none`, or a comma list of override, time-zone, extend-hours, add-holidays, disable. */
function parseUsersMay(value: string): Record<string, boolean> {
  const allowed = Object.fromEntries(Object.values(USERS_MAY_FLAGS).map((flag) => [flag, false]));
  if (value === 'none') return allowed;
  for (const name of value.split(',')) {
    const flag = USERS_MAY_FLAGS[name.trim()];
    if (!flag)
      throw new Error(
        `--users-may expects none or a list of ${Object.keys(USERS_MAY_FLAGS).join(', ')}, got "${name}"`,
      );
    allowed[flag] = true;
  }
  return allowed;
}
