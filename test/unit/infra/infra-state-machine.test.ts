import { expect } from 'chai';
import { AppError } from '../../../src/errors/app-error.js';
import { INFRA_ACTIONS, allowedFrom, nextStatus } from '../../../src/registries/infra/infra-state-machine.js';
import { INFRA_STATUSES, type InfraStatus } from '../../../src/registries/infra/infra-vocabulary.js';

describe('infra state machine', () => {
  it('walks the whole life cycle of the Rules', () => {
    let s: InfraStatus = nextStatus(null, 'SUBMIT_NOTICE');
    const path: InfraStatus[] = [s];
    for (const a of ['FORWARD', 'GRANT_ACCESS', 'SUBMIT_DATA', 'REFUSE', 'SUBMIT_DATA', 'REGISTER', 'UPDATE', 'REQUEST_DEREGISTRATION', 'DEREGISTER'] as const) {
      s = nextStatus(s, a);
      path.push(s);
    }
    expect(path).to.deep.equal([
      'NOTICE_SUBMITTED',
      'FORWARDED',
      'ACCESS_GRANTED',
      'DATA_SUBMITTED',
      'REFUSED',
      'DATA_SUBMITTED',
      'REGISTERED',
      'REGISTERED',
      'DEREGISTRATION_REQUESTED',
      'DEREGISTERED',
    ]);
  });

  it('lets a refused element send its notice again', () => {
    expect(nextStatus('REFUSED', 'SUBMIT_NOTICE')).to.equal('NOTICE_SUBMITTED');
  });

  it('refuses every transition not in the table with INVALID_STATE naming the current state in three languages', () => {
    let refused = 0;
    for (const action of INFRA_ACTIONS) {
      for (const from of [null, ...INFRA_STATUSES]) {
        if (allowedFrom(action).includes(from)) continue;
        refused += 1;
        try {
          nextStatus(from, action);
          expect.fail(`${action} from ${from} should be refused`);
        } catch (e) {
          expect(e).to.be.instanceOf(AppError);
          const err = e as AppError;
          expect(err.code).to.equal('INVALID_STATE');
          expect(err.faultCode).to.equal('Client.InvalidState');
          if (from !== null) {
            for (const lang of ['ky', 'ru', 'en'] as const) expect(err.text[lang]).to.contain(from);
          }
          expect(err.text.ky).to.not.equal(err.text.en);
        }
      }
    }
    expect(refused).to.be.greaterThan(60);
  });

  it('has nothing after DEREGISTERED', () => {
    for (const action of INFRA_ACTIONS) expect(() => nextStatus('DEREGISTERED', action)).to.throw(AppError);
  });
});
