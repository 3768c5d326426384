/**
 * Kyrgyz working-day calendar: Monday–Friday are working days except the non-working holidays
 * of config; Saturdays/Sundays may be declared working days by decree. Dates are calendar dates
 * in Asia/Bishkek (UTC+6, no daylight saving since 2005), which is how the Agency and the
 * operator count.
 *
 * The config lists non-working days only. Under the Labour Code of 2025 a holiday that falls on
 * a weekend is not moved to a weekday, and 23 February, 7 April and 7–8 November are state
 * holidays that stay working days; days the Cabinet adds (e.g. 8–9 January 2026 for state
 * bodies) and Orozo Ait / Kurman Ait, announced each year, are entered as they are published.
 */
export const BISHKEK_OFFSET_MS = 6 * 3_600_000;

const DAY_MS = 86_400_000;

export interface CalendarConfig {
  holidays: readonly string[];
  workingWeekends: readonly string[];
}

/** The Bishkek calendar date of an instant, YYYY-MM-DD. */
export function bishkekDate(at: Date): string {
  return new Date(at.getTime() + BISHKEK_OFFSET_MS).toISOString().slice(0, 10);
}

/** An instant as Bishkek local date-time with its offset, e.g. 2022-06-15T21:34:32+06:00 (seconds precision). */
export function toBishkekDateTime(at: Date): string {
  return `${new Date(at.getTime() + BISHKEK_OFFSET_MS).toISOString().slice(0, 19)}+06:00`;
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const t = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === day;
}

function dayNumber(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / DAY_MS;
}

function addDaysIso(day: string, n: number): string {
  return new Date((dayNumber(day) + n) * DAY_MS).toISOString().slice(0, 10);
}

function assertDay(day: string, what: string): void {
  if (!isIsoDate(day)) throw new RangeError(`${what}: "${day}" is not a calendar date YYYY-MM-DD`);
}

export class WorkingCalendar {
  private readonly holidays: Set<string>;
  private readonly workingWeekends: Set<string>;

  constructor(cfg: CalendarConfig) {
    // A typo such as 2026-02-30 would silently shift every due date; refuse it at start.
    for (const d of cfg.holidays) assertDay(d, 'calendar.holidays');
    for (const d of cfg.workingWeekends) assertDay(d, 'calendar.workingWeekends');
    this.holidays = new Set(cfg.holidays);
    this.workingWeekends = new Set(cfg.workingWeekends);
  }

  isWorkingDay(day: string): boolean {
    assertDay(day, 'isWorkingDay');
    if (this.holidays.has(day)) return false;
    const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (dow === 0 || dow === 6) return this.workingWeekends.has(day);
    return true;
  }

  /**
   * The due date `n` working days after the day of `from` (the receipt day itself does not count,
   * so a Saturday receipt counts from Monday): returns the end of that Bishkek day as an
   * instant, so "overdue" means strictly after it.
   */
  addWorkingDays(from: Date, n: number): { dueDate: string; dueAt: Date } {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`addWorkingDays: n must be a non-negative integer, got ${n}`);
    let day = bishkekDate(from);
    let left = n;
    while (left > 0) {
      day = addDaysIso(day, 1);
      if (this.isWorkingDay(day)) left -= 1;
    }
    return { dueDate: day, dueAt: endOfBishkekDay(day) };
  }

  /** The due date `n` calendar days after the day of `from`. */
  addCalendarDays(from: Date, n: number): { dueDate: string; dueAt: Date } {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`addCalendarDays: n must be a non-negative integer, got ${n}`);
    const day = addDaysIso(bishkekDate(from), n);
    return { dueDate: day, dueAt: endOfBishkekDay(day) };
  }

  /** Working days in (fromDay, toDay]: how many working days `toDay` lies past `fromDay`; 0 when not after. */
  workingDaysBetween(fromDay: string, toDay: string): number {
    assertDay(fromDay, 'workingDaysBetween');
    assertDay(toDay, 'workingDaysBetween');
    let count = 0;
    for (let day = addDaysIso(fromDay, 1); day <= toDay; day = addDaysIso(day, 1)) {
      if (this.isWorkingDay(day)) count += 1;
    }
    return count;
  }
}

export function endOfBishkekDay(day: string): Date {
  return new Date(Date.parse(`${day}T23:59:59.999Z`) - BISHKEK_OFFSET_MS);
}

/** The first instant of a Bishkek calendar day. */
export function startOfBishkekDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - BISHKEK_OFFSET_MS);
}
