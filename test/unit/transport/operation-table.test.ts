import { expect } from 'chai';
import { z } from 'zod';
import { AppError } from '../../../src/errors/app-error.js';
import { OperationTable, OperationTableError } from '../../../src/operations/operation-table.js';
import { defineOperation, type CallContext, type ServiceGroup } from '../../../src/operations/types.js';

const title = { ky: 'k', ru: 'r', en: 'e' };
const op = (subsystem: string, serviceCode: string, extra: Record<string, unknown> = {}) =>
  defineOperation({
    subsystem,
    serviceCode,
    version: 'v1',
    namespace: `urn:${subsystem}`,
    title,
    kind: 'read',
    input: z.object({ n: z.number().int() }),
    output: z.object({ doubled: z.number().int() }),
    handler: async (input: { n: number }) => ({ doubled: input.n * 2 }),
    ...extra,
  });
const group = (subsystem: string, ops = [op(subsystem, 'a')]): ServiceGroup => ({ subsystem, namespace: `urn:${subsystem}`, title, operations: ops });
const ctx = { now: new Date() } as CallContext;

describe('operation table', () => {
  it('finds operations by subsystem, serviceCode and version; X-Road REST by code alone', () => {
    const t = new OperationTable().register(group('s1')).register(group('s2', [op('s2', 'a'), op('s2', 'b')]));
    expect(t.find('s1', 'a', 'v1')?.subsystem).to.equal('s1');
    expect(t.find('s2', 'b', 'v1')?.serviceCode).to.equal('b');
    expect(t.find('s1', 'b', 'v1')).to.equal(undefined);
    expect(t.find('s1', 'a', 'v2')).to.equal(undefined);
    expect(t.find('s1', 'a', undefined)).to.equal(undefined);
    expect(t.findByCode('s2', 'b')?.serviceCode).to.equal('b');
    expect(t.groups().map((g) => g.subsystem)).to.deep.equal(['s1', 's2']);
  });

  it('refuses duplicates and names that cannot be X-Road identifiers or XML element names', () => {
    expect(() => new OperationTable().register(group('s1')).register(group('s1'))).to.throw(OperationTableError);
    expect(() => new OperationTable().register(group('s1', [op('s1', 'a'), op('s1', 'a')]))).to.throw(OperationTableError);
    expect(() => new OperationTable().register(group('bad/name'))).to.throw(OperationTableError);
    expect(() => new OperationTable().register(group('s1', [op('s1', '1abc')]))).to.throw(OperationTableError);
    expect(() => new OperationTable().register(group('s1', [op('s2', 'a')]))).to.throw(OperationTableError);
    expect(() => new OperationTable().register(group('s1', [op('s1', 'a', { namespace: 'urn:other' })]))).to.throw(OperationTableError);
    expect(() => new OperationTable().register(group('s1', [op('s1', 'a'), op('s1', 'aResponse')]))).to.throw(OperationTableError);
  });

  it('validates input, runs the handler, and refuses output that breaks its own schema', async () => {
    const t = new OperationTable().register(group('s1', [op('s1', 'a'), op('s1', 'b', { handler: async () => ({ doubled: 'x' }) })]));
    expect(await t.call(t.find('s1', 'a', 'v1')!, { n: 21 }, ctx)).to.deep.equal({ doubled: 42 });
    try {
      await t.call(t.find('s1', 'a', 'v1')!, { n: 'x' }, ctx);
      expect.fail('should throw');
    } catch (e) {
      expect((e as AppError).code).to.equal('VALIDATION_FAILED');
      expect((e as AppError).fields.map((f) => f.field)).to.deep.equal(['n']);
    }
    try {
      await t.call(t.find('s1', 'b', 'v1')!, { n: 1 }, ctx);
      expect.fail('should throw');
    } catch (e) {
      expect((e as AppError).code).to.equal('INTERNAL');
    }
  });
});
