import { expect } from 'chai';
import {
  isValidPin,
  missingItems,
  validateDecision,
  validateDeregistrationNotice,
  validateElementData,
  validateList,
  validateNotice,
} from '../../../src/registries/infra/infra-validation.js';
import { INFRA_REASONS } from '../../../src/registries/infra/infra-reasons.js';
import type { ElementData } from '../../../src/registries/infra/infra-schemas.js';
import { sampleElementData, sampleNotice } from '../../../fixtures/infra/sample-element.js';

const TODAY = '2026-03-10';
const ALL_FILES = { technicalDocumentation: 2, commissioningAct: true };
const reasons = (errs: Array<{ field: string; reason: string }>) => errs.map((e) => `${e.field}:${e.reason}`);

describe('infra validation', () => {
  it('a complete notice and complete data pass', () => {
    expect(validateNotice(sampleNotice())).to.deep.equal([]);
    expect(validateElementData(sampleElementData(), TODAY)).to.deep.equal([]);
    expect(missingItems(sampleElementData(), ALL_FILES)).to.deep.equal([]);
  });

  it('every notice field is checked, with all problems reported at once', () => {
    const n = sampleNotice();
    n.subject.name = ' ';
    n.element.shortName = '';
    n.employee.email = 'not-an-email';
    n.employee.position = 'x'.repeat(501);
    expect(reasons(validateNotice(n))).to.deep.equal([
      'subject.name:infra.required',
      'element.shortName:infra.required',
      'employee.position:infra.tooLong',
      'employee.email:infra.email',
    ]);
  });

  it('the number of users must be a non-negative integer', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(reasons(validateElementData({ ...sampleElementData(), numberOfUsers: bad }, TODAY))).to.deep.equal(['data.numberOfUsers:infra.nonNegativeInteger']);
    }
    expect(validateElementData({ ...sampleElementData(), numberOfUsers: 0 }, TODAY)).to.deep.equal([]);
    expect(reasons(validateElementData({ ...sampleElementData(), numberOfUsers: 2e9 }, TODAY))).to.deep.equal(['data.numberOfUsers:infra.tooLarge']);
  });

  it('lists refuse blank and repeated items; dates must be real and not in the future; e-mails and phones are checked', () => {
    const d: ElementData = {
      ...sampleElementData(),
      software: ['PostgreSQL', ' ', 'postgresql'],
      commissioningAct: { number: '1', date: '2026-03-11' },
      legalActs: [{ role: 'CREATION', title: 't', number: '1', date: '2026-02-30', issuer: 'i' }],
      responsibleUnit: { unitName: 'u', officials: [{ fullName: 'a', position: 'b', email: 'bad@', phone: 'call me' }] },
    };
    expect(reasons(validateElementData(d, TODAY))).to.have.members([
      'data.software[1]:infra.blankItem',
      'data.software[2]:infra.duplicateItem',
      'data.commissioningAct.date:infra.dateInFuture',
      'data.legalActs[0].date:infra.date',
      'data.responsibleUnit.officials[0].email:infra.email',
      'data.responsibleUnit.officials[0].phone:infra.phone',
    ]);
  });

  it('operator details contradict "the owner operates it"', () => {
    const d = { ...sampleElementData(), ownerIsOperator: true, operator: { name: 'Someone' } };
    expect(reasons(validateElementData(d, TODAY))).to.deep.equal(['data.operator:infra.operatorNotExpected']);
  });

  it('missingItems names each §20 item not fully given', () => {
    const cases: Array<[Partial<ElementData> | ((d: ElementData) => ElementData), number[]]> = [
      [{ shortName: '' }, [1]],
      [{ elementType: undefined }, [2]],
      [{ ownerIsOperator: false }, [3]],
      [{ ownerIsOperator: false, operator: { name: 'Operator LLC' } }, []],
      [{ mainFunctions: [] }, [4]],
      [{ legalActs: [{ role: 'CREATION', title: 'Act', number: '1', date: '2020-01-01' }] }, [5]],
      [{ responsibleUnit: { unitName: 'IT', officials: [] } }, [6]],
      [{ architecture: undefined }, [7]],
      [{ software: undefined, informationResources: [], interactingSystems: [''], informationServices: undefined }, [8, 9, 10, 11]],
      [{ location: { address: 'Bishkek' } }, [13]],
      [{ developer: {} }, [14]],
      [{ numberOfUsers: undefined }, [15]],
      [{ fundingSource: { kind: 'OTHER' } }, [16]],
      [{ fundingSource: { kind: 'OTHER', details: 'Grant of a foundation' } }, []],
      [{ commissioningAct: { number: 'A-1' } }, [17]],
    ];
    for (const [change, expected] of cases) {
      const d = typeof change === 'function' ? change(sampleElementData()) : { ...sampleElementData(), ...change };
      expect(missingItems(d, ALL_FILES), JSON.stringify(change)).to.deep.equal(expected);
    }
    expect(missingItems(sampleElementData(), { technicalDocumentation: 0, commissioningAct: false })).to.deep.equal([12, 17]);
    expect(missingItems({}, { technicalDocumentation: 0, commissioningAct: false })).to.have.length(17);
  });

  it('a refusal needs exactly one ground and a registration none', () => {
    expect(reasons(validateDecision({ elementId: 'x', decision: 'REFUSED' }))).to.deep.equal(['refusalGround:infra.refusalGroundRequired']);
    expect(reasons(validateDecision({ elementId: 'x', decision: 'REGISTERED', refusalGround: 'INCOMPLETE_DATA' }))).to.deep.equal(['refusalGround:infra.refusalGroundNotExpected']);
    expect(validateDecision({ elementId: 'x', decision: 'REFUSED', refusalGround: 'UNAUTHORIZED_SUBMITTER' })).to.deep.equal([]);
  });

  it('a deregistration notice needs the decision date (not in the future) and its copy', () => {
    expect(reasons(validateDeregistrationNotice({ elementId: 'x', decisionDate: '2026-03-11', decisionCopy: '' }, TODAY))).to.deep.equal([
      'decisionDate:infra.dateInFuture',
      'decisionCopy:infra.required',
    ]);
  });

  it('page size is 1..100', () => {
    expect(reasons(validateList({ limit: 0 }))).to.deep.equal(['limit:infra.limit']);
    expect(reasons(validateList({ limit: 101 }))).to.deep.equal(['limit:infra.limit']);
    expect(validateList({ limit: 100 })).to.deep.equal([]);
  });

  it('PINs: 1 or 2, a real birth date not in the future, 14 digits', () => {
    expect(isValidPin('21505198500123', TODAY)).to.equal(true);
    expect(isValidPin('31505198500123', TODAY)).to.equal(false);
    expect(isValidPin('23102198500123', TODAY)).to.equal(false);
    expect(isValidPin('20101203000123', TODAY)).to.equal(false);
    expect(isValidPin('2150519850012', TODAY)).to.equal(false);
  });

  it('every reason has its message in ky, ru and en', () => {
    for (const [reason, make] of Object.entries(INFRA_REASONS)) {
      const t = (make as (p: unknown) => { ky: string; ru: string; en: string })({ max: 5, items: '1, 2', allowed: 'PDF' });
      for (const lang of ['ky', 'ru', 'en'] as const) expect(t[lang], `${reason} ${lang}`).to.be.a('string').and.not.equal('');
      expect(new Set([t.ky, t.ru, t.en]).size, reason).to.equal(3);
    }
  });
});
