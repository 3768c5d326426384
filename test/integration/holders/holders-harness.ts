import fs from 'node:fs';
import { expect } from 'chai';
import { WorkingCalendar, type CalendarConfig } from '../../../src/calendar/working-calendar.js';
import { AppError } from '../../../src/errors/app-error.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Store } from '../../../src/store/store.js';
import { createHoldersRegistry, type HoldersRegistry } from '../../../src/registries/holders/create-holders-registry.js';
import type { HoldersCaller } from '../../../src/registries/holders/holders-service.js';
import { AGENCY_ACTOR_PIN, AGENCY_INN, AGENCY_LEGAL_ENTITY } from '../../../fixtures/holders/agency-example.js';
import { FakeBis, FakeMinjust } from '../../../fixtures/holders/fake-consumers.js';

/** The holder's web portal, the Agency's back office, and another ministry (DEV_MEMBERS). */
export const HOLDER_CLIENT = 'central-server/GOV/70000030/e-kyzmat-portal';
export const AGENCY_CLIENT = 'central-server/GOV/70000099/dpa-backoffice';
export const OTHER_MINISTRY_CLIENT = 'central-server/GOV/70000050/ministry-system';
export const REVIEWER_PIN = '12506198800031';

export const SHIPPED_CALENDAR = (
  JSON.parse(fs.readFileSync(new URL('../../../config/default.json', import.meta.url), 'utf8')) as { calendar: CalendarConfig }
).calendar;

export interface Harness {
  registry: HoldersRegistry;
  minjust: FakeMinjust;
  bis: FakeBis;
}

export function makeHarness(store: Store): Harness {
  const minjust = new FakeMinjust().add(AGENCY_LEGAL_ENTITY);
  const bis = new FakeBis().allow(AGENCY_ACTOR_PIN, AGENCY_INN);
  const registry = createHoldersRegistry({
    store,
    minjust,
    bis,
    calendar: new WorkingCalendar(SHIPPED_CALENDAR),
    logger: silentLogger(),
    contactsVisibleTo: ['central-server/GOV/70000099'],
  });
  return { registry, minjust, bis };
}

export function caller(over: Partial<HoldersCaller> = {}): HoldersCaller {
  return { client: HOLDER_CLIENT, userId: AGENCY_ACTOR_PIN, requestId: 'req-test', now: new Date('2026-11-23T04:00:00Z'), ...over };
}

export function reviewer(over: Partial<HoldersCaller> = {}): HoldersCaller {
  return caller({ client: AGENCY_CLIENT, userId: REVIEWER_PIN, ...over });
}

/** A valid organisation INN: 0, registration date 01.01.2020, five digits from n. */
export function innFor(n: number): string {
  return `001012020${String(n).padStart(5, '0')}`;
}

/** Awaits a rejection and returns it as an AppError (fails the test otherwise). */
export async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(AppError);
    return e as AppError;
  }
  expect.fail('expected the call to fail');
}
