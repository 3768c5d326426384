import { expect } from 'chai';
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { forEachStore } from '../../helpers/stores.js';
import { AppError } from '../../../src/errors/app-error.js';
import { KnexHoldersStore } from '../../../src/registries/holders/holders-store.js';
import { AGENCY_ACTOR_PIN, AGENCY_LEGAL_ENTITY, AGENCY_STAGE_1, AGENCY_STAGE_2 } from '../../../fixtures/holders/agency-example.js';
import { caller, innFor, makeHarness, rejection, type Harness } from './holders-harness.js';

const seqOf = (n: string): number => Number(n.slice(2));

async function drafts(h: Harness, from: number, count: number): Promise<string[]> {
  const inns: string[] = [];
  for (let i = 0; i < count; i++) {
    const inn = innFor(from + i);
    h.minjust.add({ ...AGENCY_LEGAL_ENTITY, inn });
    h.bis.allow(AGENCY_ACTOR_PIN, inn);
    await h.registry.service.registerHolder({ ...AGENCY_STAGE_1, inn }, caller());
    inns.push(inn);
  }
  return inns;
}

const confirm = (h: Harness, inn: string) => h.registry.service.submitDataArrays({ ...AGENCY_STAGE_2, inn }, caller());

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * A second adapter process on the same database confirming `inns`: resolves with a function that
 * starts it and gives its registration numbers. A real process, since each process has one SQLite
 * connection whose statements run in its own thread.
 */
async function secondProcess(storeConfig: unknown, inns: string[]): Promise<() => Promise<string[]>> {
  const child = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), 'confirm-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, STORE_CONFIG: JSON.stringify(storeConfig), INNS: inns.join(',') },
  });
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`second process exited with ${code}`)));
    });
  await next();
  return async () => {
    const done = next();
    child.send('go');
    const m = (await done) as { numbers?: string[]; error?: string };
    if (!m.numbers) throw new Error(`second process failed: ${m.error}`);
    return m.numbers;
  };
}

forEachStore('holders: registration numbers 2-NNNNN under concurrency', (c) => {
  let h: Harness;
  before(() => {
    h = makeHarness(c.store);
  });

  it('concurrent confirmations of different holders take 1..N, each once', async () => {
    const inns = await drafts(h, 1, 16);
    const t0 = performance.now();
    const out = await Promise.all(inns.map((inn) => confirm(h, inn)));
    const ms = performance.now() - t0;
    expect(out.every((o) => o.newlyRegistered)).to.equal(true);
    expect(out.map((o) => seqOf(o.registrationNumber)).sort((a, b) => a - b)).to.deep.equal(range(1, 16));
    console.log(`      16 concurrent stage-II confirmations [${c.client}]: ${ms.toFixed(0)} ms`);
  });

  it('two confirmations of one holder at once: one registers it, the other edits; no number burned', async () => {
    const [inn] = await drafts(h, 100, 1);
    const out = await Promise.all([confirm(h, inn), confirm(h, inn)]);
    expect(out.filter((o) => o.newlyRegistered)).to.have.length(1);
    expect(out.map((o) => o.registrationNumber)).to.deep.equal(['2-00017', '2-00017']);
    const [next] = await drafts(h, 101, 1);
    expect((await confirm(h, next)).registrationNumber).to.equal('2-00018');
  });

  it('a confirmation that rolls back gives its number back', async () => {
    const [inn] = await drafts(h, 200, 1);
    const store = new KnexHoldersStore(c.store);
    const e = await rejection(
      store.change(inn, async (_current, tx) => {
        expect(await tx.nextRegistrationSeq()).to.equal(19);
        throw new AppError('INTERNAL');
      }),
    );
    expect(e.code).to.equal('INTERNAL');
    expect((await confirm(h, inn)).registrationNumber).to.equal('2-00019');
  });

  it('a confirmation refused by the state machine takes no number', async () => {
    const [inn] = await drafts(h, 300, 1);
    await confirm(h, inn); // 2-00020
    const [other] = await drafts(h, 301, 1);
    h.bis.refuse(AGENCY_ACTOR_PIN, other, 'EXPIRED');
    expect((await rejection(confirm(h, other))).code).to.equal('NOT_AUTHORIZED_FOR_ORGANISATION');
    h.bis.allow(AGENCY_ACTOR_PIN, other);
    expect((await confirm(h, other)).registrationNumber).to.equal('2-00021');
  });

  it('two first saves of one new holder at once both land, one after the other', async () => {
    const inn = innFor(500);
    h.minjust.add({ ...AGENCY_LEGAL_ENTITY, inn });
    h.bis.allow(AGENCY_ACTOR_PIN, inn);
    const out = await Promise.all([h.registry.service.registerHolder({ ...AGENCY_STAGE_1, inn }, caller()), h.registry.service.registerHolder({ ...AGENCY_STAGE_1, inn }, caller())]);
    expect(out.map((o) => o.version).sort()).to.deep.equal([1, 2]);
    expect((await h.registry.service.getHolderHistory({ inn })).versions).to.have.length(2);
  });

  it('two adapter processes on one database never duplicate or skip a number', async function () {
    this.timeout(60_000);
    const inns = await drafts(h, 400, 20);
    const theirs = inns.filter((_, i) => i % 2 === 1);
    const start = await secondProcess(c.store.storeConfig, theirs);
    const [mine, other] = await Promise.all([Promise.all(inns.filter((_, i) => i % 2 === 0).map((inn) => confirm(h, inn))), start()]);
    const numbers = [...mine.map((o) => o.registrationNumber), ...other];
    expect(numbers.map(seqOf).sort((a, b) => a - b)).to.deep.equal(range(22, 41));
    const counter = (await c.store.knex('holders_counters').where({ name: 'registration_number' }).first()) as { value: number | string };
    expect(Number(counter.value)).to.equal(41);
    const stored = (await c.store.knex('holders_applications').whereNotNull('reg_seq').count({ n: '*' }).first()) as { n: number | string };
    expect(Number(stored.n)).to.equal(41);
  });
});
