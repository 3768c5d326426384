import { expect } from 'chai';
import { AppError } from '../../../src/errors/app-error.js';
import { prepareRecord, recordProblems } from '../../../src/exchange-log/prepare-record.js';
import type { ExchangeRecordInput } from '../../../src/exchange-log/types.js';
import { sampleRecord } from '../../../fixtures/exchange-log/sample-records.js';

const full = (): ExchangeRecordInput => ({
  ...sampleRecord(5, { bodies: true }),
  serviceVersion: 'v1',
  userId: 'KG12345678901234',
  issue: 'case-17',
  representedParty: 'GOV/70000030',
  protocolVersion: '4.0',
  faultCode: 'Server.Internal',
  faultString: 'x'.repeat(5000),
  subjects: [{ kind: 'inn', value: '01001202210023' }],
  requestId: 'req-1',
  operationKind: 'read',
  replayClaim: { ref: { client: 'central-server/GOV/70000030/e-kyzmat', messageId: 'm-1', token: 't-1' }, contentType: 'text/xml; charset=utf-8' },
});

/** The record with one field replaced (undefined removes it). */
const withField = (name: string, value: unknown): unknown => ({ ...full(), [name]: value });

describe('exchange record check (prepareRecord)', () => {
  it('accepts a record with every field, and one with only the required ones', () => {
    expect(recordProblems(full())).to.deep.equal([]);
    const minimal = Object.fromEntries(Object.entries(sampleRecord(6)).filter(([, v]) => v !== undefined));
    expect(recordProblems(minimal)).to.deep.equal([]);
    expect(prepareRecord(full(), 'full').fields.faultString).to.have.length(4001);
  });

  const bad: Array<[string, unknown, string]> = [
    ['direction', 'sideways', 'direction: expected one of in, out'],
    ['transport', undefined, 'transport: expected one of soap, xroad-rest, rest'],
    ['requestInTs', -1, 'requestInTs: expected a finite number ≥ 0'],
    ['responseInTs', Number.NaN, 'responseInTs: expected a finite number ≥ 0'],
    ['client', '', 'client: expected a non-empty string in an exchange that succeeded'],
    ['client', 'c'.repeat(513), 'client: expected a string of 0–512 characters'],
    ['messageId', 'm'.repeat(1025), 'messageId: expected a string of 0–1024 characters'],
    ['serviceVersion', 7, 'serviceVersion: expected a string of 0–64 characters'],
    ['requestSize', 1.5, 'requestSize: expected an integer ≥ 0'],
    ['responseAttachmentCount', '2', 'responseAttachmentCount: expected an integer ≥ 0'],
    ['succeeded', 'yes', 'succeeded: expected a boolean'],
    ['statusCode', 1000, 'statusCode: expected an integer 0–999'],
    ['faultString', 12, 'faultString: expected a string'],
    ['requestBody', 'not bytes', 'requestBody: expected a Buffer'],
    ['subjects', [{ kind: 'inn', value: 5 }], 'subjects: expected 0.value: a string'],
    ['subjects', 'inn:1', 'subjects: expected an array'],
    ['operationKind', 'delete', 'operationKind: expected one of read, write'],
    ['replayClaim', { ref: { client: 'c', messageId: 'm' }, contentType: 'text/xml' }, 'replayClaim: expected ref: token: a string'],
  ];
  for (const [field, value, problem] of bad) {
    it(`refuses ${field} = ${(typeof value === "number" ? String(value) : JSON.stringify(value))?.slice(0, 30)} with INTERNAL, naming the field`, () => {
      expect(recordProblems(withField(field, value))).to.deep.equal([problem]);
      let thrown: unknown;
      try {
        prepareRecord(withField(field, value) as ExchangeRecordInput, 'full');
      } catch (e) {
        thrown = e;
      }
      expect(thrown).to.be.instanceOf(AppError).and.have.property('code', 'INTERNAL');
      expect(String(((thrown as AppError).cause as Error).message)).to.equal(`malformed exchange record: ${problem}`);
    });
  }

  it('accepts a refused exchange whose request could not be read as far as its X-Road headers', () => {
    const unread = { ...full(), succeeded: false, faultCode: 'Client.InvalidXml', client: '', service: '', serviceCode: '', messageId: '' };
    expect(recordProblems(unread)).to.deep.equal([]);
    expect(prepareRecord(unread, 'full').fields).to.include({ client: '', messageId: '', faultCode: 'Client.InvalidXml' });
  });

  it('lists every problem of a record, not only the first', () => {
    expect(recordProblems({ ...full(), direction: 'x', statusCode: -1 })).to.deep.equal(['direction: expected one of in, out', 'statusCode: expected an integer 0–999']);
    expect(recordProblems(null)).to.deep.equal(['record: expected an object']);
  });
});
