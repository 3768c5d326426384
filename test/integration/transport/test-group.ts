import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { AppError } from '../../../src/errors/app-error.js';
import { OperationTable } from '../../../src/operations/operation-table.js';
import { pingGroup } from '../../../src/operations/ping.js';
import { defineOperation, type CallContext, type ServiceGroup } from '../../../src/operations/types.js';

export const OTHER_NS = 'urn:test:other-test:v1';

/** Counts handler runs so that tests can tell a replay from a second execution. */
export interface Calls {
  record: number;
  flaky: number;
  slowRead: number;
  contexts: CallContext[];
}

const title = (en: string) => ({ ky: `${en} (ky)`, ru: `${en} (ru)`, en });

/**
 * Operations with the behaviours the transport must handle: a write that reports its subjects, one
 * that fails with an internal error (whose message must never reach the caller), a business error,
 * a transient upstream failure, and a slow write and a slow read for concurrency.
 */
export function otherGroup(calls: Calls): ServiceGroup {
  const subsystem = 'other-test';
  const ns = OTHER_NS;
  const base = { subsystem, namespace: ns, version: 'v1' as const };
  return {
    subsystem,
    namespace: ns,
    title: title('Transport test operations'),
    operations: [
      defineOperation({
        ...base,
        serviceCode: 'record',
        title: title('Record a value'),
        kind: 'write',
        input: z.object({ value: z.string().max(20), inn: z.string().regex(/^\d{14}$/).optional(), delayMs: z.number().int().min(0).max(2000).optional() }),
        output: z.object({ count: z.number().int(), value: z.string() }),
        rest: { method: 'POST', path: '/records/:inn' },
        async handler(input, ctx) {
          calls.record += 1;
          calls.contexts.push(ctx);
          if (input.inn) ctx.reportSubject?.({ kind: 'inn', value: input.inn });
          if (ctx.userId) ctx.reportSubject?.({ kind: 'pin', value: ctx.userId });
          if (input.delayMs) await sleep(input.delayMs);
          return { count: calls.record, value: input.value };
        },
      }),
      defineOperation({
        ...base,
        serviceCode: 'boom',
        title: title('Fail inside'),
        kind: 'read',
        input: z.object({}),
        output: z.object({ never: z.string() }),
        async handler() {
          throw new Error('select * from holders where pin = 21234567890123 -- secret internals');
        },
      }),
      defineOperation({
        ...base,
        serviceCode: 'missing',
        title: title('Not found'),
        kind: 'read',
        input: z.object({ inn: z.string() }),
        output: z.object({ never: z.string() }),
        rest: { method: 'GET', path: '/missing/:inn' },
        async handler() {
          throw new AppError('NOT_FOUND');
        },
      }),
      defineOperation({
        ...base,
        serviceCode: 'flaky',
        title: title('Fails once'),
        kind: 'write',
        input: z.object({ value: z.string() }),
        output: z.object({ attempt: z.number().int() }),
        async handler() {
          calls.flaky += 1;
          if (calls.flaky === 1) throw new AppError('UPSTREAM_UNAVAILABLE');
          return { attempt: calls.flaky };
        },
      }),
      defineOperation({
        ...base,
        serviceCode: 'slowRead',
        title: title('Read slowly'),
        kind: 'read',
        input: z.object({ value: z.string().max(20), delayMs: z.number().int().min(0).max(2000) }),
        output: z.object({ run: z.number().int(), value: z.string() }),
        async handler(input) {
          calls.slowRead += 1;
          const run = calls.slowRead;
          await sleep(input.delayMs);
          return { run, value: input.value };
        },
      }),
      defineOperation({
        ...base,
        serviceCode: 'badOutput',
        title: title('Returns what it promised not to'),
        kind: 'read',
        input: z.object({}),
        output: z.object({ n: z.number().int() }),
        async handler() {
          return { n: 'not a number' } as unknown as { n: number };
        },
      }),
    ],
  };
}

export function newCalls(): Calls {
  return { record: 0, flaky: 0, slowRead: 0, contexts: [] };
}

export function testTable(calls: Calls): OperationTable {
  return new OperationTable().register(pingGroup()).register(otherGroup(calls));
}
