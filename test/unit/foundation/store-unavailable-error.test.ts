import { expect } from 'chai';
import { AppError, storeUnavailableError, toAppError } from '../../../src/errors/app-error.js';

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('store unavailability as an error code', () => {
  it('a refused, reset or timed-out store is UPSTREAM_UNAVAILABLE (Server.UpstreamUnavailable, 503) with ky/ru/en text', () => {
    for (const e of [refused(), Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' }), new Error('Connection terminated unexpectedly')]) {
      const err = toAppError(e);
      expect(err.code, e.message).to.equal('UPSTREAM_UNAVAILABLE');
      expect(err.faultCode).to.equal('Server.UpstreamUnavailable');
      expect(err.httpStatus).to.equal(503);
      expect(err.text.en).to.contain('database');
      expect(err.text.ru).to.contain('База данных');
      expect(err.text.ky).to.contain('маалымат базасы');
      expect(err.cause).to.equal(e);
    }
  });

  it('so is an AppError caused by it (the exchange log refusing a record because the store is gone)', () => {
    const logDown = new AppError('EXCHANGE_LOG_UNAVAILABLE', { cause: refused() });
    expect(storeUnavailableError(logDown)?.code).to.equal('UPSTREAM_UNAVAILABLE');
    expect(toAppError(logDown).code, 'an AppError stays itself in toAppError').to.equal('EXCHANGE_LOG_UNAVAILABLE');
  });

  it('anything else stays INTERNAL, and the exchange log refusing for another reason is not the store', () => {
    expect(toAppError(new Error('boom')).code).to.equal('INTERNAL');
    expect(storeUnavailableError(new AppError('EXCHANGE_LOG_UNAVAILABLE'))).to.equal(undefined);
    expect(storeUnavailableError(new TypeError('x is undefined'))).to.equal(undefined);
  });
});
