import { expect } from 'chai';
import { AppError } from '../../../src/errors/app-error.js';
import { canHappen, transition, type HolderEvent } from '../../../src/registries/holders/holders-state-machine.js';
import { APPLICATION_STATUS_CODES, type ApplicationStatus } from '../../../src/registries/holders/vocabularies.js';

const EVENTS: HolderEvent[] = ['SAVE_HOLDER_DATA', 'SAVE_DATA_ARRAYS', 'SUBMIT_FOR_REVIEW', 'APPROVE', 'REJECT'];

/** The whole table, written out: from → event → [to, effect]; anything absent is illegal. */
const EXPECTED: Record<ApplicationStatus | 'none', Partial<Record<HolderEvent, [ApplicationStatus, string]>>> = {
  none: { SAVE_HOLDER_DATA: ['DRAFT', 'NONE'] },
  DRAFT: { SAVE_HOLDER_DATA: ['DRAFT', 'NONE'], SAVE_DATA_ARRAYS: ['REGISTERED', 'REGISTER'] },
  REGISTERED: { SAVE_HOLDER_DATA: ['REGISTERED', 'NONE'], SAVE_DATA_ARRAYS: ['REGISTERED', 'NONE'], SUBMIT_FOR_REVIEW: ['UNDER_REVIEW', 'START_REVIEW'] },
  UNDER_REVIEW: { APPROVE: ['APPROVED', 'DECIDE'], REJECT: ['REJECTED', 'DECIDE'] },
  APPROVED: { SAVE_HOLDER_DATA: ['APPROVED', 'NONE'], SAVE_DATA_ARRAYS: ['APPROVED', 'NONE'], SUBMIT_FOR_REVIEW: ['UNDER_REVIEW', 'START_REVIEW'] },
  REJECTED: { SAVE_HOLDER_DATA: ['REJECTED', 'NONE'], SAVE_DATA_ARRAYS: ['REJECTED', 'NONE'], SUBMIT_FOR_REVIEW: ['UNDER_REVIEW', 'START_REVIEW'] },
};

describe('holders: application state machine', () => {
  for (const from of ['none', ...APPLICATION_STATUS_CODES] as const) {
    for (const event of EVENTS) {
      const want = EXPECTED[from][event];
      const current = from === 'none' ? undefined : from;
      it(`${from} + ${event} → ${want ? want.join(' / ') : 'refused'}`, () => {
        expect(canHappen(current, event)).to.equal(want !== undefined);
        if (want) {
          expect(transition(current, event)).to.deep.equal({ to: want[0], effect: want[1] });
          return;
        }
        let err: unknown;
        try {
          transition(current, event);
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(AppError);
        const e = err as AppError;
        if (current === undefined) {
          expect(e.code).to.equal('NOT_FOUND');
          return;
        }
        expect(e.code).to.equal('INVALID_STATE');
        expect(e.faultCode).to.equal('Client.InvalidState');
        // The fault names the current state in every language.
        for (const lang of ['ky', 'ru', 'en'] as const) expect(e.text[lang], lang).to.contain(current);
      });
    }
  }

  it('names the state in its Kyrgyz label too', () => {
    try {
      transition('UNDER_REVIEW', 'SAVE_DATA_ARRAYS');
      expect.fail('should refuse');
    } catch (e) {
      expect((e as AppError).text.ky).to.contain('«Каралууда»');
      expect((e as AppError).text.ru).to.contain('«На рассмотрении»');
    }
  });
});
