import type { Knex } from 'knex';
import { WorkingCalendar } from '../../src/calendar/working-calendar.js';
import { loadConfig } from '../../src/config/loader.js';
import type { LegalEntity } from '../../src/consumers/types.js';
import { silentLogger } from '../../src/log/logger.js';
import { createHoldersRegistry } from '../../src/registries/holders/create-holders-registry.js';
import { formatRegistrationNumber } from '../../src/registries/holders/identifiers.js';
import type { Store } from '../../src/store/store.js';
import { AGENCY_ACTOR_PIN, AGENCY_INN, AGENCY_LEGAL_ENTITY, AGENCY_STAGE_1, AGENCY_STAGE_2 } from '../../fixtures/holders/agency-example.js';
import { FakeBis, FakeMinjust } from '../../fixtures/holders/fake-consumers.js';
import type { SamplePerson } from '../../fixtures/sandbox/sample-data.js';

/**
 * Bench identifiers. Seeded holders: organisation INNs 0 0101YYYY NNNNN with YYYY 2000–2009 (1M
 * distinct); holders the signed-write scenario registers: YYYY 2010–2019; their acting persons:
 * PINs 2 0101YYYY NNNNN with YYYY 1970–1979. None collides with the sandbox's sample data.
 */
const ident = (first: string, baseYear: number, i: number): string => `${first}0101${baseYear + Math.floor(i / 100_000)}${String(i % 100_000).padStart(5, '0')}`;
export const seededInn = (i: number): string => ident('0', 2000, i);
export const writeInn = (j: number): string => ident('0', 2010, j);
export const writePin = (j: number): string => ident('2', 1970, j);

const APPS = 'holders_applications';

/**
 * One real registered holder (the Agency's worked example through stages I and II, by the
 * registry itself), read back as its table row: the template every seeded holder copies.
 */
async function templateRow(store: Store): Promise<Record<string, unknown>> {
  const existing = (await store.knex(APPS).where({ inn: AGENCY_INN }).first()) as Record<string, unknown> | undefined;
  if (existing?.reg_seq) return existing;
  const config = loadConfig({ env: { NODE_ENV: 'test' } });
  const registry = createHoldersRegistry({
    store,
    minjust: new FakeMinjust().add(AGENCY_LEGAL_ENTITY),
    bis: new FakeBis().allow(AGENCY_ACTOR_PIN, AGENCY_INN),
    calendar: new WorkingCalendar(config.calendar),
    logger: silentLogger(),
  });
  const caller = { client: 'central-server/GOV/70000030/e-kyzmat-portal', userId: AGENCY_ACTOR_PIN, requestId: 'bench-seed', now: new Date() };
  await registry.service.registerHolder(AGENCY_STAGE_1, caller);
  await registry.service.submitDataArrays(AGENCY_STAGE_2, caller);
  return (await store.knex(APPS).where({ inn: AGENCY_INN }).first()) as Record<string, unknown>;
}

/** Rows per INSERT: 18 columns × 400 stays well under both drivers' bound-parameter limits. */
const ROWS_PER_INSERT = 400;
const ROWS_PER_TX = 20_000;

/**
 * Adds `n` registered holders straight into holders_applications (copies of the template with
 * their own INN, name and registration number), in multi-row INSERTs, one transaction per 20k
 * rows, and moves the registration counter past them. Returns the number of holders now stored.
 */
export async function seedHolders(store: Store, n: number, onProgress?: (done: number) => void): Promise<number> {
  const t = await templateRow(store);
  const templateSeq = Number(t.reg_seq);
  const sub = (v: unknown, inn: string): unknown => (typeof v === 'string' ? v.split(AGENCY_INN).join(inn) : v);
  const now = Date.now();
  const row = (i: number): Record<string, unknown> => {
    const inn = seededInn(i);
    const seq = templateSeq + 1 + i;
    const name = `${String(t.name)} №${i}`;
    return {
      ...t,
      inn,
      name,
      name_lc: name.toLowerCase(),
      holder_json: sub(t.holder_json, inn),
      sources_json: sub(t.sources_json, inn),
      data_arrays_json: sub(t.data_arrays_json, inn),
      reg_seq: seq,
      reg_number: formatRegistrationNumber(seq),
      registered_at_ms: now - (n - i) * 1000,
      created_at_ms: now - (n - i) * 1000,
      updated_at_ms: now - (n - i) * 1000,
    };
  };
  for (let from = 0; from < n; from += ROWS_PER_TX) {
    const to = Math.min(n, from + ROWS_PER_TX);
    await store.knex.transaction(async (trx: Knex.Transaction) => {
      for (let a = from; a < to; a += ROWS_PER_INSERT) {
        const rows: Array<Record<string, unknown>> = [];
        for (let i = a; i < Math.min(to, a + ROWS_PER_INSERT); i++) rows.push(row(i));
        await trx(APPS).insert(rows);
      }
    });
    onProgress?.(to);
  }
  await store.knex('holders_counters').where({ name: 'registration_number' }).update({ value: templateSeq + n });
  const [{ c }] = (await store.knex(APPS).count({ c: '*' })) as Array<{ c: number | string }>;
  return Number(c);
}

/** The MoJ record of a holder the write scenario registers: the Agency's, under another INN and name. */
export function benchLegalEntity(inn: string, j: number): LegalEntity {
  return { ...structuredClone(AGENCY_LEGAL_ENTITY), inn, name: `${AGENCY_LEGAL_ENTITY.name} №${j}` };
}

/**
 * Warms the adapter's MoJ cache (table of migration 0300) for the INNs the write scenario will
 * register, as if each had been fetched moments ago: stage I is then answered from the cache.
 */
export async function warmMinjustCache(store: Store, count: number, minjustService: string): Promise<void> {
  const fetched = Date.now();
  for (let a = 0; a < count; a += 1000) {
    const rows: Array<Record<string, unknown>> = [];
    for (let j = a; j < Math.min(count, a + 1000); j++) {
      const inn = writeInn(j);
      rows.push({ inn, entity_json: JSON.stringify(benchLegalEntity(inn, j)), source: `${minjustService}/getSubjectByTin`, fetched_at_ms: fetched, message_id: `bench-warm-${j}` });
    }
    await store.knex.transaction(async (trx) => {
      for (let b = 0; b < rows.length; b += 200) await trx('minjust_subject_cache').insert(rows.slice(b, b + 200));
    });
  }
}

/** BIS persons for the write scenario: person j holds a valid organisation certificate of writeInn(j). */
export function benchPersons(count: number): SamplePerson[] {
  return Array.from({ length: count }, (_, j) => ({
    person: { pin: writePin(j), surname: 'Бенчмарков', name: `Тест${j}`, email: `bench${j}@example.kg` },
    certificates: [
      { serial: `BE${j.toString(16)}`, ownerKind: 'organisation', organisationName: `bench ${j}`, organisationInn: writeInn(j), validUntil: '2030-12-31T23:59:59+06:00', revoked: false, suspended: false },
    ],
    note: 'bench: may act for one bench organisation',
  }));
}
