import fs from 'node:fs';
import { expect } from 'chai';
import {
  WorkingCalendar,
  bishkekDate,
  endOfBishkekDay,
  isIsoDate,
  startOfBishkekDay,
  toBishkekDateTime,
} from '../../../src/calendar/working-calendar.js';

const shipped = JSON.parse(fs.readFileSync(new URL('../../../config/default.json', import.meta.url), 'utf8')) as {
  calendar: { holidays: string[]; workingWeekends: string[] };
};

describe('WorkingCalendar', () => {
  const cal = new WorkingCalendar(shipped.calendar);

  describe('shipped holiday list', () => {
    it('holds only real dates, sorted, without repeats', () => {
      const h = shipped.calendar.holidays;
      expect(h.every(isIsoDate)).to.equal(true);
      expect([...h].sort()).to.deep.equal(h);
      expect(new Set(h).size).to.equal(h.length);
    });

    it('has the non-working holidays of 2026 and 2027 by the Labour Code of 2025', () => {
      const h = new Set(shipped.calendar.holidays);
      for (const y of ['2026', '2027']) {
        for (const md of ['01-01', '01-02', '01-03', '01-04', '01-05', '01-06', '01-07', '03-08', '03-21', '05-01', '05-05', '05-09', '08-31']) {
          expect(h.has(`${y}-${md}`), `${y}-${md}`).to.equal(true);
        }
      }
      // Orozo Ait (20 March 2026, as the Muftiate announced), Kurman Ait, Cabinet decree No. 835 (8–9 January 2026).
      for (const d of ['2026-03-20', '2026-05-27', '2026-01-08', '2026-01-09']) expect(h.has(d), d).to.equal(true);
    });

    it('keeps 23 February, 7 April and 7–8 November as working days (state holidays without a day off)', () => {
      for (const d of ['2026-02-23', '2026-04-07', '2027-02-23', '2027-04-07', '2027-11-08']) expect(cal.isWorkingDay(d), d).to.equal(true);
    });

    it('does not move a holiday that falls on a weekend', () => {
      // Nooruz 2026 is a Saturday; Monday 23 March is a working day.
      expect(cal.isWorkingDay('2026-03-23')).to.equal(true);
      // Women's Day 2026 is a Sunday; Monday 9 March is a working day.
      expect(cal.isWorkingDay('2026-03-09')).to.equal(true);
    });
  });

  describe('addWorkingDays', () => {
    it('counts 10 working days over two plain weeks, the receipt day not counted', () => {
      const { dueDate, dueAt } = cal.addWorkingDays(new Date('2026-10-02T06:00:00Z'), 10); // Friday
      expect(dueDate).to.equal('2026-10-16');
      expect(dueAt.toISOString()).to.equal('2026-10-16T17:59:59.999Z');
    });

    it('skips Orozo Ait and the weekend after it', () => {
      // Wed 18 March: Thu 19 (1), Fri 20 Orozo Ait, Sat 21 Nooruz, Sun 22, Mon 23 (2) … Thu 2 April (10).
      expect(cal.addWorkingDays(new Date('2026-03-18T04:00:00Z'), 10).dueDate).to.equal('2026-04-02');
    });

    it('skips the May holidays 1–9 May', () => {
      // Thu 30 April: 1–9 May off, Sun 10, then Mon 11 (1) … Fri 22 (10).
      expect(cal.addWorkingDays(new Date('2026-04-30T04:00:00Z'), 10).dueDate).to.equal('2026-05-22');
    });

    it('skips the New Year holidays and the Cabinet days 8–9 January 2026', () => {
      expect(cal.addWorkingDays(new Date('2025-12-31T04:00:00Z'), 10).dueDate).to.equal('2026-01-23');
      expect(cal.addWorkingDays(new Date('2025-12-31T04:00:00Z'), 1).dueDate).to.equal('2026-01-12');
    });

    it('counts a Saturday receipt from Monday', () => {
      expect(cal.addWorkingDays(new Date('2026-03-14T04:00:00Z'), 1).dueDate).to.equal('2026-03-16');
      // Sat 14 March: Mon 16 (1) … Thu 19 (4), Fri 20 Orozo Ait, Mon 23 (5) … Fri 27 (9), Mon 30 (10).
      expect(cal.addWorkingDays(new Date('2026-03-14T04:00:00Z'), 10).dueDate).to.equal('2026-03-30');
    });

    it('takes the receipt day in Bishkek time, not UTC', () => {
      // 17:59 UTC Thursday is 23:59 Thursday in Bishkek; 18:30 UTC Thursday is already Friday there.
      expect(cal.addWorkingDays(new Date('2026-10-01T17:59:00Z'), 10).dueDate).to.equal('2026-10-15');
      expect(cal.addWorkingDays(new Date('2026-10-01T18:30:00Z'), 10).dueDate).to.equal('2026-10-16');
    });

    it('returns the end of the due day in Bishkek as the instant', () => {
      const { dueAt } = cal.addWorkingDays(new Date('2026-10-01T18:30:00Z'), 10);
      expect(dueAt.toISOString()).to.equal('2026-10-16T17:59:59.999Z');
    });

    it('counts a Saturday declared working by decree', () => {
      const c = new WorkingCalendar({ holidays: [], workingWeekends: ['2026-03-14'] });
      expect(c.isWorkingDay('2026-03-14')).to.equal(true);
      expect(c.addWorkingDays(new Date('2026-03-13T04:00:00Z'), 1).dueDate).to.equal('2026-03-14');
    });

    it('refuses a negative or fractional count', () => {
      expect(() => cal.addWorkingDays(new Date(), -1)).to.throw(RangeError);
      expect(() => cal.addWorkingDays(new Date(), 1.5)).to.throw(RangeError);
    });
  });

  describe('addCalendarDays', () => {
    it('counts calendar days from the Bishkek date', () => {
      expect(cal.addCalendarDays(new Date('2026-03-12T18:30:00Z'), 3).dueDate).to.equal('2026-03-16');
    });
  });

  describe('workingDaysBetween', () => {
    it('counts working days after the first day up to and including the second', () => {
      expect(cal.workingDaysBetween('2026-03-13', '2026-03-20')).to.equal(4); // 16–19; 20 is Orozo Ait
      expect(cal.workingDaysBetween('2026-03-20', '2026-03-13')).to.equal(0);
      expect(cal.workingDaysBetween('2026-03-13', '2026-03-13')).to.equal(0);
    });
  });

  describe('configuration', () => {
    it('refuses a date that does not exist', () => {
      expect(() => new WorkingCalendar({ holidays: ['2026-02-30'], workingWeekends: [] })).to.throw(/2026-02-30/);
      expect(() => new WorkingCalendar({ holidays: [], workingWeekends: ['2026-13-01'] })).to.throw(/2026-13-01/);
    });
  });

  describe('Bishkek time helpers', () => {
    it('converts instants and days', () => {
      expect(bishkekDate(new Date('2022-06-15T15:34:32Z'))).to.equal('2022-06-15');
      expect(bishkekDate(new Date('2022-06-15T18:00:00Z'))).to.equal('2022-06-16');
      expect(toBishkekDateTime(new Date('2022-06-15T15:34:32.900Z'))).to.equal('2022-06-15T21:34:32+06:00');
      expect(startOfBishkekDay('2026-03-12').toISOString()).to.equal('2026-03-11T18:00:00.000Z');
      expect(endOfBishkekDay('2026-03-12').toISOString()).to.equal('2026-03-12T17:59:59.999Z');
    });
  });
});
