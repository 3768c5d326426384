import { expect } from 'chai';
import { redact, redactText, REDACTED } from '../../../src/log/redactor.js';
import { createLogger } from '../../../src/log/logger.js';
import { lineSink } from '../../helpers/line-sink.js';

describe('redactor', () => {
  it('masks 14-digit PINs and INNs in text, but not longer or shorter numbers', () => {
    expect(redactText('user 21503199012345 acts for 01001202210023')).to.equal('user [id14] acts for [id14]');
    expect(redactText('order 123456789012345 and 1234567890123')).to.not.contain('[id14]');
  });

  it('masks e-mail addresses and phone numbers', () => {
    expect(redactText('write to info@dpa.gov.kg')).to.equal('write to [email]');
    for (const phone of ['+996 312 62 15 84', '+996555123456', '0555 12 34 56', '(0312) 62-15-84', '0312 550 101', '0555 101 202', '+996 312 000000', '0312-550-101']) {
      expect(redactText(`call ${phone} now`), phone).to.equal('call [phone] now');
    }
  });

  it('leaves ordinary values alone', () => {
    expect(redactText('registration 2-00001 at 2022-06-15 21:34:32, OKPO 31296230')).to.equal('registration 2-00001 at 2022-06-15 21:34:32, OKPO 31296230');
  });

  it('masks fields that name a person whatever their value', () => {
    const out = redact({ userId: 'abc', name: 'Asel Bekova', nested: { email: 'x', phone: 'y', fullName: 'Z' }, service: 'getHolder', list: [{ pin: '1' }] });
    expect(out).to.deep.equal({ userId: REDACTED, name: REDACTED, nested: { email: REDACTED, phone: REDACTED, fullName: REDACTED }, service: 'getHolder', list: [{ pin: REDACTED }] });
  });

  it('masks inside error messages and never prints buffers', () => {
    const out = redact({ err: new Error('no person 21503199012345'), body: Buffer.from('secret') }) as Record<string, unknown>;
    expect(out.err).to.deep.equal({ name: 'Error', message: 'no person [id14]' });
    expect(out.body).to.equal('[6 bytes]');
  });

  it('is applied by the logger to the message and every field', () => {
    const { stream, lines } = lineSink();
    const log = createLogger({ level: 'info', stream });
    log.info('lookup for 21503199012345 by a@b.kg', { messageId: 'm-1', userId: '21503199012345', detail: { phone: '+996555123456' } });
    const line = lines.join('');
    expect(line).not.to.contain('21503199012345');
    expect(line).not.to.contain('a@b.kg');
    expect(line).not.to.contain('555123456');
    const parsed = JSON.parse(line);
    expect(parsed.messageId).to.equal('m-1');
    expect(parsed.level).to.equal('info');
  });

  it('masks top-level log fields that name a person, as it does nested ones', () => {
    const { stream, lines } = lineSink();
    const log = createLogger({ level: 'info', stream });
    log.info('stage I', { chief: 'Asel Bekova', head: 'Asel Bekova', fullName: 'Asel Bekova', name: 'Asel Bekova', requestId: 'r-1', inn: 'x' });
    const parsed = JSON.parse(lines.join(''));
    expect(parsed).to.deep.include({ chief: REDACTED, head: REDACTED, fullName: REDACTED, name: REDACTED, inn: REDACTED, requestId: 'r-1', message: 'stage I' });
  });
});
