import { expect } from 'chai';
import type { z } from 'zod';
import { AppError, type FieldError } from '../../../src/errors/app-error.js';
import { parseInput } from '../../../src/i18n/field-messages.js';
import {
  listHoldersInput,
  registerHolderInput,
  reviewApplicationInput,
  submitDataArraysInput,
  submitPersonalDataListInput,
} from '../../../src/registries/holders/holders-schemas.js';
import { AGENCY_STAGE_1, AGENCY_STAGE_2, AGENCY_STAGE_3 } from '../../../fixtures/holders/agency-example.js';

type Obj = Record<string, unknown>;

function errorsOf(schema: z.ZodType, input: unknown): FieldError[] {
  try {
    parseInput(schema, input);
  } catch (e) {
    expect(e).to.be.instanceOf(AppError);
    expect((e as AppError).code).to.equal('VALIDATION_FAILED');
    return (e as AppError).fields;
  }
  return [];
}

/** The one error the input yields, checked to carry its message in all three languages. */
function onlyError(schema: z.ZodType, input: unknown): FieldError {
  const errs = errorsOf(schema, input);
  expect(errs, JSON.stringify(errs)).to.have.length(1);
  for (const lang of ['ky', 'ru', 'en'] as const) expect(errs[0].message[lang], lang).to.be.a('string').and.not.equal('');
  return errs[0];
}

const without = (o: Obj, key: string): Obj => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
const stage1 = { ...AGENCY_STAGE_1 } as Obj;
const stage2 = { ...AGENCY_STAGE_2 } as Obj;
const stage3 = { ...AGENCY_STAGE_3 } as Obj;

describe('holders: input validation', () => {
  it('accepts the seed Agency example at every stage', () => {
    expect(errorsOf(registerHolderInput, stage1)).to.deep.equal([]);
    expect(errorsOf(submitDataArraysInput, stage2)).to.deep.equal([]);
    expect(errorsOf(submitPersonalDataListInput, stage3)).to.deep.equal([]);
  });

  describe('mandatory fields, one at a time', () => {
    const cases: Array<[string, z.ZodType, Obj, string[]]> = [
      ['stage I', registerHolderInput, stage1, ['inn', 'responsiblePerson']],
      ['stage II', submitDataArraysInput, stage2, ['inn', 'arrayNames', 'processingEndConditions', 'recipients', 'crossBorderTransfer', 'processorKind']],
      ['stage III', submitPersonalDataListInput, stage3, ['inn', 'sources', 'purposes']],
    ];
    for (const [stage, schema, valid, fields] of cases) {
      for (const field of fields) {
        it(`${stage}: ${field} missing → required, named by its form label`, () => {
          const e = onlyError(schema, without(valid, field));
          expect(e).to.include({ field, reason: 'required' });
        });
      }
    }

    for (const part of ['fullName', 'email', 'phone']) {
      it(`stage I: responsiblePerson.${part} missing → required (Government Decree No. 760)`, () => {
        const e = onlyError(registerHolderInput, { ...stage1, responsiblePerson: without(stage1.responsiblePerson as Obj, part) });
        expect(e).to.include({ field: `responsiblePerson.${part}`, reason: 'required' });
        expect(e.message.ky).to.contain('Жеке маалыматтар менен иштөө үчүн түздөн-түз жооптуу адам');
      });
    }

    it('stage I: a corrected current address must be complete', () => {
      const e = onlyError(registerHolderInput, { ...stage1, currentAddress: { region: 'БИШКЕК', city: 'БИШКЕК', district: 'ЛЕНИНСКИЙ РАЙОН' } });
      expect(e).to.include({ field: 'currentAddress.streetHouse', reason: 'required' });
      expect(e.message.ky).to.equal('«Кармоочунун азыркы учурдагы дареги — Көчө, үй №» милдеттүү талаа.');
    });

    it('stage II: empty lists count as missing', () => {
      expect(onlyError(submitDataArraysInput, { ...stage2, arrayNames: [] })).to.include({ field: 'arrayNames', reason: 'required' });
      expect(onlyError(submitPersonalDataListInput, { ...stage3, purposes: [] })).to.include({ field: 'purposes', reason: 'required' });
    });

    it('stage II: subjects must be informed somehow — a method or an "other" one', () => {
      const e = onlyError(submitDataArraysInput, { ...stage2, notificationMethods: [], notificationMethodsOther: [] });
      expect(e).to.include({ field: 'notificationMethods', reason: 'required' });
      expect(errorsOf(submitDataArraysInput, { ...stage2, notificationMethods: [], notificationMethodsOther: ['факс'] })).to.deep.equal([]);
      expect(errorsOf(submitDataArraysInput, { ...without(stage2, 'notificationMethodsOther'), notificationMethods: ['SMS'] })).to.deep.equal([]);
    });

    it('stage II: at least one safety measure', () => {
      const e = onlyError(submitDataArraysInput, { ...without(stage2, 'securityMeasuresOther'), securityMeasures: [] });
      expect(e).to.include({ field: 'securityMeasures', reason: 'required' });
    });

    it('stage III: at least one personal data item and one subject category', () => {
      expect(onlyError(submitPersonalDataListInput, { ...stage3, personalData: [] })).to.include({ field: 'personalData', reason: 'required' });
      expect(errorsOf(submitPersonalDataListInput, { ...stage3, personalData: [], personalDataOther: ['ИНН'] })).to.deep.equal([]);
      expect(onlyError(submitPersonalDataListInput, { ...stage3, subjectCategories: [], subjectCategoriesOther: [] })).to.include({ field: 'subjectCategories', reason: 'required' });
    });

    it('stage III: special categories are optional', () => {
      expect(errorsOf(submitPersonalDataListInput, without(without(stage3, 'specialCategories'), 'specialCategoriesOther'))).to.deep.equal([]);
    });

    it('lists every missing field at once', () => {
      const errs = errorsOf(submitDataArraysInput, { inn: stage2.inn });
      expect(errs.map((e) => e.field)).to.include.members(['arrayNames', 'processingEndConditions', 'recipients', 'crossBorderTransfer', 'processorKind']);
    });
  });

  describe('conditional fields', () => {
    const transfer = { country: 'Казахстан', recipientName: 'ТОО "Пример"', agreement: 'Договор № 12 от 01.02.2026' };

    it('cross-border details are required exactly when a transfer is planned', () => {
      expect(onlyError(submitDataArraysInput, { ...stage2, crossBorderTransfer: true })).to.include({ field: 'crossBorderTransfers', reason: 'requiredWhen' });
      expect(errorsOf(submitDataArraysInput, { ...stage2, crossBorderTransfer: true, crossBorderTransfers: [transfer] })).to.deep.equal([]);
      const e = onlyError(submitDataArraysInput, { ...stage2, crossBorderTransfer: false, crossBorderTransfers: [transfer] });
      expect(e).to.include({ field: 'crossBorderTransfers', reason: 'notApplicable' });
      expect(e.message.en).to.contain('no cross-border transfer is planned');
    });

    it('each cross-border transfer needs country, third party and agreement', () => {
      const e = onlyError(submitDataArraysInput, { ...stage2, crossBorderTransfer: true, crossBorderTransfers: [without(transfer, 'country')] });
      expect(e).to.include({ field: 'crossBorderTransfers[0].country', reason: 'required' });
    });

    it('processor details are required exactly when there is a processor', () => {
      const processor = { name: 'ОсОО "Кадр Сервис"', contacts: '0312 900 900, hr@kadr.kg', contractDetails: ['Договор № 228 от 27.05.2022'] };
      for (const kind of ['LEGAL_ENTITY', 'INDIVIDUAL']) {
        expect(onlyError(submitDataArraysInput, { ...stage2, processorKind: kind })).to.include({ field: 'processor', reason: 'requiredWhen' });
        expect(errorsOf(submitDataArraysInput, { ...stage2, processorKind: kind, processor })).to.deep.equal([]);
      }
      expect(onlyError(submitDataArraysInput, { ...stage2, processorKind: 'NONE', processor })).to.include({ field: 'processor', reason: 'notApplicable' });
      expect(onlyError(submitDataArraysInput, { ...stage2, processorKind: 'INDIVIDUAL', processor: { ...processor, contractDetails: [] } })).to.include({
        field: 'processor.contractDetails',
        reason: 'required',
      });
    });

    it('a rejection needs the comment; an approval may have one', () => {
      const inn = stage1.inn;
      expect(onlyError(reviewApplicationInput, { inn, decision: 'REJECTED' })).to.include({ field: 'comment', reason: 'requiredWhen' });
      expect(onlyError(reviewApplicationInput, { inn, decision: 'REJECTED', comment: '  ' })).to.include({ field: 'comment', reason: 'required' });
      expect(errorsOf(reviewApplicationInput, { inn, decision: 'APPROVED' })).to.deep.equal([]);
      expect(onlyError(reviewApplicationInput, { inn, decision: 'MAYBE' })).to.include({ field: 'decision', reason: 'enum' });
    });
  });

  describe('formats', () => {
    const inn = (v: unknown) => onlyError(registerHolderInput, { ...stage1, inn: v });

    it('INN: 14 digits with a plausible date after the first digit', () => {
      for (const bad of ['0100120221002', '010012022100234', '0100120221002x', '31001202210023', '03002202210023', '00113202210023', '01001189910023', '01001209910023']) {
        expect(inn(bad), bad).to.include({ field: 'inn', reason: 'pattern' });
      }
      expect(inn(1001202210023)).to.include({ field: 'inn', reason: 'type' });
      for (const good of ['01001202210023', '21503199000017', '12902200000011']) expect(errorsOf(registerHolderInput, { ...stage1, inn: good }), good).to.deep.equal([]);
    });

    it('OKPO: 8 digits', () => {
      expect(onlyError(registerHolderInput, { ...stage1, okpo: '3129623' })).to.include({ field: 'okpo', reason: 'pattern' });
      expect(onlyError(registerHolderInput, { ...stage1, okpo: '3129623A' })).to.include({ field: 'okpo', reason: 'pattern' });
      expect(errorsOf(registerHolderInput, { ...stage1, okpo: '31296230' })).to.deep.equal([]);
    });

    it('e-mail', () => {
      for (const bad of ['info', 'info@dpa', 'info @dpa.gov.kg', '@dpa.gov.kg', 'info@dpa..kg']) {
        expect(onlyError(registerHolderInput, { ...stage1, email: bad }), bad).to.include({ field: 'email', reason: 'pattern' });
      }
      const e = onlyError(registerHolderInput, { ...stage1, responsiblePerson: { ...(stage1.responsiblePerson as Obj), email: 'nope' } });
      expect(e).to.include({ field: 'responsiblePerson.email', reason: 'pattern' });
    });

    it('phone and fax: Kyrgyz numbers, national or +996, with separators', () => {
      for (const good of ['0771557772', '0312 62 12 34', '0 (312) 62-12-34', '+996771557772', '+996 (771) 55-77-72', '996505111222']) {
        expect(errorsOf(registerHolderInput, { ...stage1, phone: good }), good).to.deep.equal([]);
      }
      for (const bad of ['771557772', '07715577721', '+7 701 555 77 72', '0771-557-77', 'phone']) {
        expect(onlyError(registerHolderInput, { ...stage1, phone: bad }), bad).to.include({ field: 'phone', reason: 'pattern' });
      }
    });

    it('lengths', () => {
      const e = onlyError(registerHolderInput, { ...stage1, subordination: 'x'.repeat(301) });
      expect(e).to.include({ field: 'subordination', reason: 'tooLong' });
      expect(e.message.ru).to.contain('не более 300 символов');
      expect(onlyError(submitDataArraysInput, { ...stage2, arrayNames: ['x'.repeat(1001)] })).to.include({ field: 'arrayNames[0]', reason: 'tooLong' });
      expect(onlyError(submitDataArraysInput, { ...stage2, recipients: Array.from({ length: 101 }, (_, i) => `r${i}`) })).to.include({ field: 'recipients', reason: 'tooMany' });
    });

    it('blank text and blank list items are refused', () => {
      expect(onlyError(registerHolderInput, { ...stage1, ownershipForm: '   ' })).to.include({ field: 'ownershipForm', reason: 'required' });
      const e = onlyError(submitDataArraysInput, { ...stage2, arrayNames: ['личные дела сотрудников', ' '] });
      expect(e).to.include({ field: 'arrayNames[1]', reason: 'blankItem' });
      expect(e.message.ky).to.contain('бош элемент');
      expect(onlyError(submitPersonalDataListInput, { ...stage3, sources: [''] })).to.include({ field: 'sources[0]', reason: 'blankItem' });
    });

    it('lists are arrays, not ";"-joined strings', () => {
      expect(onlyError(submitDataArraysInput, { ...stage2, arrayNames: 'личные дела; ведомость' })).to.include({ field: 'arrayNames', reason: 'type' });
    });

    it('checkbox codes come from the vocabulary, each once', () => {
      expect(onlyError(submitDataArraysInput, { ...stage2, securityMeasures: ['ANTIVIRUS', 'MOAT'] })).to.include({ field: 'securityMeasures[1]', reason: 'enum' });
      expect(onlyError(submitDataArraysInput, { ...stage2, notificationMethods: ['SMS', 'SMS'] })).to.include({ field: 'notificationMethods', reason: 'duplicate' });
      expect(onlyError(submitPersonalDataListInput, { ...stage3, specialCategories: ['HEALTH', 'HEIGHT'] })).to.include({ field: 'specialCategories[1]', reason: 'enum' });
      expect(onlyError(submitDataArraysInput, { ...stage2, processorKind: 'ROBOT' })).to.include({ field: 'processorKind', reason: 'enum' });
    });

    it('an unknown field is refused, not ignored', () => {
      expect(onlyError(registerHolderInput, { ...stage1, nickname: 'DPA' })).to.include({ field: 'nickname', reason: 'unknown' });
      expect(onlyError(submitDataArraysInput, { ...stage2, processor: undefined, processorKind: 'NONE', extra: 1 })).to.include({ field: 'extra', reason: 'unknown' });
    });

    it('crossBorderTransfer is a boolean', () => {
      expect(onlyError(submitDataArraysInput, { ...stage2, crossBorderTransfer: 'yes' })).to.include({ field: 'crossBorderTransfer', reason: 'type' });
    });
  });

  describe('listHolders filters', () => {
    it('takes the page size from a query string and bounds it', () => {
      expect(parseInput(listHoldersInput, { limit: '10' })).to.deep.equal({ limit: 10 });
      for (const bad of [0, 101, '1.5', 'ten']) expect(onlyError(listHoldersInput, { limit: bad }), String(bad)).to.include({ field: 'limit', reason: 'outOfRange' });
    });

    it('dates are real calendar dates; status from the vocabulary', () => {
      expect(onlyError(listHoldersInput, { registeredFrom: '2026-02-30' })).to.include({ field: 'registeredFrom', reason: 'pattern' });
      expect(onlyError(listHoldersInput, { registeredTo: '01.02.2026' })).to.include({ field: 'registeredTo', reason: 'pattern' });
      expect(onlyError(listHoldersInput, { status: 'GONE' })).to.include({ field: 'status', reason: 'enum' });
    });
  });

  it('every message names the field by its label in the right language', () => {
    const e = onlyError(registerHolderInput, { ...stage1, okpo: '123' });
    expect(e.message).to.deep.equal({ ky: '«ИУЖК коду» 8 цифрадан турушу керек.', ru: '«Код ОКПО» должен состоять из 8 цифр.', en: '“OKPO code” must be 8 digits.' });
  });
});
