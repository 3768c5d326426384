import { expect } from 'chai';
import { z } from 'zod';
import { AppError } from '../../../src/errors/app-error.js';
import { fieldErrorOf, fieldMessage, parseInput, readFieldMessage } from '../../../src/i18n/field-messages.js';
import { issueToFieldError, localizedIssue } from '../../../src/operations/operation-table.js';

const TEXT = { ky: 'Бош элемент.', ru: 'Пустой элемент.', en: 'Blank item.' };

describe('field messages: reason codes on the transports’ localized issues', () => {
  it('round-trips reason and text', () => {
    expect(readFieldMessage(fieldMessage('blankItem', TEXT))).to.deep.equal({ reason: 'blankItem', text: TEXT });
    expect(readFieldMessage(localizedIssue(TEXT))).to.deep.equal({ reason: undefined, text: TEXT });
    expect(readFieldMessage('Invalid input')).to.equal(undefined);
    expect(readFieldMessage('i18n:{broken')).to.equal(undefined);
  });

  it('is read by the transports as a localized text', () => {
    const r = z.object({ a: z.array(z.string().regex(/\S/, fieldMessage('blankItem', TEXT))) }).safeParse({ a: [' '] });
    expect(r.success).to.equal(false);
    const transport = issueToFieldError(r.error!.issues[0]);
    expect(transport.message).to.deep.equal(TEXT);
    expect(transport.field).to.equal('a[0]');
    // SOAP, X-Road REST and /api/v1 show the check's own reason, not the one zod's issue code gives.
    expect(transport.reason).to.equal('blankItem');
  });

  it('parseInput keeps the check’s own reason, and the transports’ reason otherwise', () => {
    const schema = z.strictObject({ a: z.array(z.string().regex(/\S/, fieldMessage('blankItem', TEXT))), b: z.string() });
    try {
      parseInput(schema, { a: [' '], c: 1 });
      expect.fail('should refuse');
    } catch (e) {
      expect(e).to.be.instanceOf(AppError);
      expect((e as AppError).fields.map((f) => [f.field, f.reason])).to.deep.equal([
        ['a[0]', 'blankItem'],
        ['b', 'required'],
        ['c', 'unknown'],
      ]);
      expect((e as AppError).fields[0].message).to.deep.equal(TEXT);
    }
    expect(parseInput(schema, { a: ['x'], b: 'y' })).to.deep.equal({ a: ['x'], b: 'y' });
  });

  it('fieldErrorOf builds a field error from a message outside a schema', () => {
    expect(fieldErrorOf('okpo', fieldMessage('conflictWithSource', TEXT))).to.deep.equal({ field: 'okpo', reason: 'conflictWithSource', message: TEXT });
    expect(() => fieldErrorOf('okpo', 'plain')).to.throw();
  });
});
