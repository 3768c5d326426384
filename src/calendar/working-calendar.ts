/**
 * Kyrgyz working-day calendar: Monday–Friday are working days except public holidays;
 * Saturdays/Sundays may be declared working days by decree. Dates are calendar dates in
 * Asia/Bishkek (UTC+6, no daylight saving), which is how the Agency and the operator count.
 */
export const BISHKEK_OFFSET_MS = 6 * 3_600_000;

export interface CalendarConfig {
  holidays: readonly string[];
  workingWeekends: readonly string[];
}

/** The Bishkek calendar date of an instant, YYYY-MM-DD. */
export function bishkekDate(at: Date): string {
  return new Date(at.getTime() + BISHKEK_OFFSET_MS).toISOString().slice(0, 10);
}

function addDaysIso(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export class WorkingCalendar {
  private readonly holidays: Set<string>;
  private readonly workingWeekends: Set<string>;

  constructor(cfg: CalendarConfig) {
    this.holidays = new Set(cfg.holidays);
    this.workingWeekends = new Set(cfg.workingWeekends);
  }

  isWorkingDay(day: string): boolean {
    if (this.holidays.has(day)) return false;
    const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (dow === 0 || dow === 6) return this.workingWeekends.has(day);
    return true;
  }

  /**
   * The due date `n` working days after the day of `from` (the receipt day itself does not count):
   * returns the end of that Bishkek day as an instant, so "overdue" means strictly after it.
   */
  addWorkingDays(from: Date, n: number): { dueDate: string; dueAt: Date } {
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
    const day = addDaysIso(bishkekDate(from), n);
    return { dueDate: day, dueAt: endOfBishkekDay(day) };
  }
}

export function endOfBishkekDay(day: string): Date {
  return new Date(Date.parse(`${day}T23:59:59.999Z`) - BISHKEK_OFFSET_MS);
}
