import { expect } from 'chai';
import { parseSearch, parseSubject, parseWhy } from '../../../src/exchange-log/query-params.js';
import { AppError } from '../../../src/errors/app-error.js';
import { OperatorTokens } from '../../../src/http/operator-auth.js';
import crypto from 'node:crypto';

const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(AppError);
    return (e as AppError).fields.map((f) => f.field);
  }
  return [];
};

describe('operator query parameters (unit)', () => {
  it('parses times as ISO 8601 or milliseconds, and the other filters', () => {
    const { filter, page } = parseSearch({ from: '2026-03-02T08:00:00Z', to: '1772445600000', status: 'fault', direction: 'out', serviceCode: 'getHolder', limit: '20' });
    expect(filter).to.deep.equal({ from: Date.UTC(2026, 2, 2, 8), to: 1772445600000, status: 'fault', direction: 'out', serviceCode: 'getHolder' });
    expect(page).to.deep.equal({ limit: 20 });
  });

  it('names every bad parameter, with messages in three languages', () => {
    expect(fieldsOf(() => parseSearch({ from: 'yesterday', status: 'maybe', limit: '-1', client: ['a', 'b'] }))).to.deep.equal(['from', 'client', 'status', 'limit']);
    expect(fieldsOf(() => parseSubject({ inn: '123' }))).to.deep.equal(['inn']);
    expect(fieldsOf(() => parseSubject({}))).to.deep.equal(['inn']);
    expect(parseSubject({ pin: '21505199000123' }).subject).to.deep.equal({ kind: 'pin', value: '21505199000123' });
  });

  it('keeps a reason to one line', () => {
    expect(parseWhy({ why: ' ticket\n42\u0007 ' })).to.equal('ticket 42');
    expect(parseWhy({})).to.equal(undefined);
  });

  it('matches operator tokens by hash only', () => {
    const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
    const tokens = new OperatorTokens({ a: { role: 'auditor', tokenSha256: sha('token-of-auditor-aaaa') }, o: { role: 'operator', tokenSha256: sha('token-of-operator-oooo') } });
    expect(tokens.match('Bearer token-of-operator-oooo')).to.deep.equal({ name: 'o', role: 'operator' });
    expect(tokens.match('Bearer token-of-auditor-aaaa')).to.deep.equal({ name: 'a', role: 'auditor' });
    expect(tokens.match('Bearer token-of-nobody-nnnnn')).to.equal(undefined);
    expect(tokens.match('Basic token-of-auditor-aaaa')).to.equal(undefined);
    expect(tokens.match(undefined)).to.equal(undefined);
  });
});
