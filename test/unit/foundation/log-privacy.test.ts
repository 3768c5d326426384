import { expect } from 'chai';
import { createLogger, setLogTap, silentLogger, type LogTap } from '../../../src/log/logger.js';
import { redact, redactText } from '../../../src/log/redactor.js';
import { AGENCY_ACTOR_PIN, AGENCY_LEGAL_ENTITY, AGENCY_STAGE_1 } from '../../../fixtures/holders/agency-example.js';
import { SAMPLE_ENTITIES, SAMPLE_PERSONS } from '../../../fixtures/sandbox/sample-data.js';
import { fixturePersonalData, personalDataFinder } from '../../../fixtures/privacy/personal-data.js';
import { lineSink } from '../../helpers/line-sink.js';

/** Runs `f` with a tap of its own, then puts the suite's tap (if any) back. */
function withTap(f: (lines: string[]) => void): string[] {
  const lines: string[] = [];
  const previous: LogTap | undefined = setLogTap((l) => {
    lines.push(l);
    previous?.(l);
  });
  try {
    f(lines);
  } finally {
    setLogTap(previous);
  }
  return lines;
}

describe('privacy of logs: the fixtures\' personal data and the log tap', () => {
  it('collects PINs, persons\' names, phones and e-mails from the fixtures', () => {
    const d = fixturePersonalData();
    expect(d.pins).to.include(AGENCY_ACTOR_PIN);
    expect(d.names).to.include.members([AGENCY_LEGAL_ENTITY.head!, AGENCY_STAGE_1.responsiblePerson.fullName, 'Асанов Бакыт Маратович']);
    expect(d.phones).to.include.members(['0771557772', '0312 550 101', '0312550101']);
    expect(d.emails).to.include.members(['info@dpa.gov.kg', AGENCY_STAGE_1.responsiblePerson.email]);
    // An element's full name is not a person's; an INN is not a PIN.
    expect(d.names.join('|')).not.to.match(/маалыматтык системасы/);
    expect(d.pins).not.to.include(AGENCY_LEGAL_ENTITY.inn);
  });

  it('finds any of them in a line, whole numbers only, ignoring case', () => {
    const find = personalDataFinder();
    expect(find(`{"message":"x","note":"${AGENCY_LEGAL_ENTITY.head}"}`)).to.deep.equal({ kind: 'names', value: AGENCY_LEGAL_ENTITY.head });
    expect(find('user 21503199000017 acts')).to.deep.equal({ kind: 'pins', value: '21503199000017' });
    expect(find('id 921503199000017')).to.equal(undefined);
    expect(find('mail B.ASANOV@DPA.GOV.KG')?.kind).to.equal('emails');
    expect(find('{"level":"info","message":"holder registered","registrationNumber":"2-00001"}')).to.equal(undefined);
  });

  it('the redactor masks every PIN, phone and e-mail of the fixtures in free text (names need a named field)', () => {
    const d = fixturePersonalData();
    const find = personalDataFinder({ ...d, names: [] });
    for (const v of [...d.pins, ...d.phones, ...d.emails]) expect(find(redactText(`value ${v}; again (${v}).`)), v).to.equal(undefined);
    expect(find(redactText(`phones: ${SAMPLE_ENTITIES[1].moj.phones}`))).to.equal(undefined);
  });

  it('the tap sees every level of every logger made after it is set, silent ones included; real output keeps its level', () => {
    const { stream, lines: written } = lineSink();
    const lines = withTap(() => {
      const quiet = silentLogger();
      quiet.error('silent error');
      const info = createLogger({ level: 'info', stream });
      info.debug('debug line');
      info.info('info line');
      info.child({ requestId: 'r-1' }).warn('child line');
    });
    expect(lines.map((l) => JSON.parse(l).message)).to.deep.equal(['silent error', 'debug line', 'info line', 'child line']);
    expect(written.map((l) => JSON.parse(l).message)).to.deep.equal(['info line', 'child line']);
  });

  it('what the tap receives is already redacted: persons and contacts in any field of a sample person', () => {
    const p = SAMPLE_PERSONS[0].person;
    const lines = withTap(() => {
      const log = silentLogger();
      log.warn(`lookup of ${p.pin} (${p.email}, ${p.phone})`, { person: p, chief: AGENCY_LEGAL_ENTITY.head, responsiblePerson: AGENCY_STAGE_1.responsiblePerson, legalEntity: AGENCY_LEGAL_ENTITY });
    });
    const find = personalDataFinder();
    expect(lines).to.have.length(1);
    expect(find(lines[0])).to.equal(undefined);
    expect(redact({ note: redactText(`${p.phone}`) })).to.deep.equal({ note: '[phone]' });
  });
});
