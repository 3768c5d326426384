import { expect } from 'chai';
import { forEachStore } from '../../helpers/stores.js';
import { openLog } from './log-context.js';
import { SAMPLE_INN, SAMPLE_PIN, sampleRecord } from '../../../fixtures/exchange-log/sample-records.js';
import { AppError } from '../../../src/errors/app-error.js';
import { sha256Hex } from '../../../src/exchange-log/record-hash.js';
import type { ExchangeRecordInput } from '../../../src/exchange-log/types.js';

const reader = { operator: 'test-operator', role: 'operator', via: 'api' as const };

forEachStore('exchange log: append', (ctx) => {
  it('stores every field of every exchange type, the exact bodies, and the subjects', async () => {
    const log = openLog(ctx.store);
    const inputs: ExchangeRecordInput[] = [
      { ...sampleRecord(0), transport: 'soap', direction: 'in' },
      { ...sampleRecord(3), transport: 'rest', direction: 'in' },
      { ...sampleRecord(5), transport: 'xroad-rest', direction: 'in' },
      { ...sampleRecord(7), transport: 'soap', direction: 'out', requestBody: Buffer.from([0, 1, 2, 255, 254]) },
    ];
    const seqs = await Promise.all(inputs.map((r) => log.append(r)));
    for (const [i, { seq }] of seqs.entries()) {
      const input = inputs[i];
      const got = await log.get(seq);
      expect(got, `record ${seq}`).to.not.equal(undefined);
      for (const key of Object.keys(input) as Array<keyof ExchangeRecordInput>) {
        if (key === 'requestBody' || key === 'responseBody' || key === 'subjects') continue;
        expect(got?.[key as keyof typeof got], key).to.deep.equal(input[key] ?? null);
      }
      expect(got?.durationMs).to.equal(input.responseOutTs - input.requestInTs);
      expect(got?.requestSha256).to.equal(sha256Hex(input.requestBody as Buffer));
      expect(got?.responseSha256).to.equal(sha256Hex(input.responseBody as Buffer));
      expect(got?.subjectList).to.deep.equal([...(input.subjects ?? [])].sort((a, b) => `${a.kind}:${a.value}`.localeCompare(`${b.kind}:${b.value}`)));
      expect(got?.hasRequestBody && got?.hasResponseBody).to.equal(true);
      expect((await log.readBody(seq, 'request', reader)).equals(input.requestBody as Buffer)).to.equal(true);
      expect((await log.readBody(seq, 'response', reader)).equals(input.responseBody as Buffer)).to.equal(true);
    }
    const journal = await log.accessJournal({ kind: 'inn', value: SAMPLE_INN });
    expect(journal.entries.map((e) => e.seq)).to.include(seqs[0].seq);
    const byPin = await log.accessJournal({ kind: 'pin', value: SAMPLE_PIN });
    const withPin = seqs.filter((_, i) => inputs[i].subjects?.some((x) => x.kind === 'pin')).map((s) => s.seq);
    expect(withPin.length).to.be.greaterThan(0);
    expect(byPin.entries.map((e) => e.seq)).to.deep.equal(withPin.sort((a, b) => b - a));
    expect((await log.verify()).ok).to.equal(true);
    await log.close();
  });

  it('keeps absent optional fields absent and stores no bodies in metadata mode', async () => {
    const log = openLog(ctx.store, { bodies: 'metadata' });
    const bare: ExchangeRecordInput = {
      direction: 'in',
      transport: 'soap',
      requestInTs: 1000,
      responseOutTs: 1010,
      client: 'central-server/GOV/70000030/e-kyzmat',
      service: 'central-server/GOV/70000099/pd-holders-registry/listHolders/v1',
      serviceCode: 'listHolders',
      messageId: 'bare-1',
      requestSize: 10,
      responseSize: 20,
      requestAttachmentCount: 0,
      responseAttachmentCount: 0,
      succeeded: true,
      statusCode: 200,
      requestBody: Buffer.from('<a/>'),
    };
    const { seq } = await log.append(bare);
    const got = await log.get(seq);
    for (const k of ['requestOutTs', 'responseInTs', 'serviceVersion', 'userId', 'issue', 'representedParty', 'protocolVersion', 'faultCode', 'faultString', 'responseSha256', 'requestId', 'operationKind'] as const) {
      expect(got?.[k], k).to.equal(null);
    }
    expect(got?.requestSha256).to.equal(sha256Hex('<a/>'));
    expect(got?.bodiesStored).to.equal(false);
    expect(got?.hasRequestBody).to.equal(false);
    const err = await log.readBody(seq, 'request', reader).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AppError).and.have.property('code', 'NOT_FOUND');
    await log.close();
    expect((await openLog(ctx.store).verify()).ok).to.equal(true);
  });

  it('normalises text the database could not return unchanged (NUL, lone surrogates) before hashing', async () => {
    const log = openLog(ctx.store);
    const { seq } = await log.append({ ...sampleRecord(9), succeeded: false, faultCode: 'Server.InternalError', faultString: 'bad\u0000byte \uD800 and ' + 'long '.repeat(2000) });
    const got = await log.get(seq);
    expect(got?.faultString).to.match(/^bad\uFFFDbyte \uFFFD and long/);
    expect(got?.faultString?.length).to.be.at.most(4001);
    await log.close();
    expect((await openLog(ctx.store).verify()).ok).to.equal(true);
  });

  it('hashes text the same way in JavaScript and in the database (multi-byte, quotes, separators, empty)', async () => {
    const log = openLog(ctx.store);
    const odd = ['', 'Ңөү Түндүк ӨҮ', 'emoji 😀 and 𝄞', 'quote " back \\ slash', 'line\nbreak\ttab', 's12:N', 'i5;T', '\u2028\u2029'];
    for (const [i, text] of odd.entries()) {
      await log.append({ ...sampleRecord(40 + i), issue: text, faultString: text, succeeded: false, faultCode: text || 'x', userId: text });
    }
    const v = await log.verify();
    expect(v.ok, JSON.stringify(v.firstBreak)).to.equal(true);
    const last = await log.get((await log.head()).seq);
    expect(last?.issue).to.equal(odd[odd.length - 1]);
    await log.close();
  });

  it('group-commits concurrent appends into few transactions with a strict sequence', async () => {
    const log = openLog(ctx.store, { batchMaxRecords: 64, batchMaxDelayMs: 2 });
    const before = (await log.head()).seq;
    const n = 1000;
    const res = await Promise.all(Array.from({ length: n }, (_, i) => log.append(sampleRecord(100 + i))));
    const seqs = res.map((r) => r.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).to.equal(n);
    expect(seqs[0]).to.equal(before + 1);
    expect(seqs[n - 1]).to.equal(before + n);
    expect(log.writerStats.batches).to.be.at.most(Math.ceil(n / 64) + 2);
    expect(log.writerStats.largestBatch).to.equal(64);
    await log.close();
    const v = await openLog(ctx.store).verify();
    expect(v.ok, JSON.stringify(v.firstBreak)).to.equal(true);
  });

  it('leaves out subjects that cannot be an INN or PIN, and keeps the exchange', async () => {
    const log = openLog(ctx.store);
    const subjects = [{ kind: 'inn', value: '01001202210023' }, { kind: 'inn', value: 'a,b:c' }, { kind: 'passport', value: 'AN123' }] as unknown as ExchangeRecordInput['subjects'];
    const { seq } = await log.append({ ...sampleRecord(60), subjects });
    expect((await log.get(seq))?.subjectList).to.deep.equal([{ kind: 'inn', value: '01001202210023' }]);
    await log.close();
  });

  it('refuses a malformed record alone; the others of its batch are written', async () => {
    const log = openLog(ctx.store);
    const bad = { ...sampleRecord(1), requestSize: -1 };
    const results = await Promise.allSettled([log.append(sampleRecord(2)), log.append(bad), log.append(sampleRecord(3))]);
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).to.be.instanceOf(AppError).and.have.property('code', 'INTERNAL');
    await log.close();
  });

  it('rejects every append of a batch that fails, and goes on with the next batch', async () => {
    const log = openLog(ctx.store);
    const k = ctx.store.knex;
    await k.schema.renameTable('exchange_records', 'exchange_records_away');
    let results: PromiseSettledResult<{ seq: number }>[];
    try {
      results = await Promise.allSettled([log.append(sampleRecord(11)), log.append(sampleRecord(12))]);
    } finally {
      await k.schema.renameTable('exchange_records_away', 'exchange_records');
    }
    for (const r of results) {
      expect(r.status).to.equal('rejected');
      expect((r as PromiseRejectedResult).reason).to.be.instanceOf(AppError).and.have.property('code', 'EXCHANGE_LOG_UNAVAILABLE');
    }
    expect(log.writerStats.failedBatches).to.equal(1);
    const { seq } = await log.append(sampleRecord(13));
    expect((await log.head()).seq).to.equal(seq);
    await log.close();
    expect((await openLog(ctx.store).verify()).ok).to.equal(true);
  });

  it('bounds its queue: appends beyond it are refused at once', async () => {
    const log = openLog(ctx.store, { batchMaxRecords: 4 }, { maxQueue: 8 });
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => log.append(sampleRecord(200 + i))));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).to.be.greaterThan(0);
    expect(results.filter((r) => r.status === 'fulfilled').length).to.be.at.least(8);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).to.have.property('code', 'EXCHANGE_LOG_UNAVAILABLE');
    expect(log.writerStats).to.include({ refused: refused.length, records: 40 - refused.length, failedBatches: 0, queued: 0 });
    await log.close();
  });

  it('flushes on close, refuses appends after it, and signs the head', async () => {
    const log = openLog(ctx.store, { batchMaxDelayMs: 50, batchMaxRecords: 1000 });
    const pending = Array.from({ length: 20 }, (_, i) => log.append(sampleRecord(300 + i)));
    expect(log.writerStats.queued).to.equal(20);
    await log.close();
    expect(log.writerStats).to.include({ queued: 0, records: 20, refused: 0 });
    const done = await Promise.all(pending);
    const head = await log.head();
    expect(head.seq).to.equal(Math.max(...done.map((d) => d.seq)));
    const cps = await log.checkpoints({ fromSeq: head.seq });
    expect(cps.map((c) => [c.seq, c.kind])).to.deep.equal([[head.seq, 'shutdown']]);
    const err = await log.append(sampleRecord(400)).catch((e: unknown) => e);
    expect(err).to.have.property('code', 'EXCHANGE_LOG_UNAVAILABLE');
    expect(log.writerStats.refused).to.equal(1);
  });

  it('signs a checkpoint every checkpointEvery records, and on demand', async () => {
    const log = openLog(ctx.store, { checkpointEvery: 10 });
    const start = (await log.head()).seq;
    for (let i = 0; i < 25; i++) await log.append(sampleRecord(500 + i));
    const cps = await log.checkpoints({ fromSeq: start + 1 });
    const periodic = cps.filter((c) => c.kind === 'periodic').map((c) => c.seq);
    const expected = Array.from({ length: 25 }, (_, i) => start + 1 + i).filter((s) => s % 10 === 0);
    expect(periodic.sort((a, b) => a - b)).to.deep.equal(expected);
    const manual = await log.checkpoint();
    expect(manual?.seq).to.equal(start + 25);
    expect((await log.checkpoint())?.signature).to.equal(manual?.signature);
    const v = await log.verify();
    expect(v.ok).to.equal(true);
    expect(v.unsignedTail).to.equal(0);
    await log.flush();
  });
});
