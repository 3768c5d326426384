import { expect } from 'chai';
import { z } from 'zod';
import { OperationTable } from '../../../src/operations/operation-table.js';
import type { CallContext } from '../../../src/operations/types.js';
import { AppError } from '../../../src/errors/app-error.js';
import { FIELD_LABELS } from '../../../src/registries/holders/field-labels.js';
import { HOLDERS_NAMESPACE, holdersOperations } from '../../../src/registries/holders/holders-operations.js';
import type { HoldersService } from '../../../src/registries/holders/holders-service.js';
import { VOCABULARIES } from '../../../src/registries/holders/vocabularies.js';
import { formatRegistrationNumber, isPlausibleInn, isPlausiblePin } from '../../../src/registries/holders/identifiers.js';
import { diffDocuments } from '../../../src/registries/holders/record-diff.js';

/** A service stand-in that records which method a handler called with which caller. */
function recordingService(): { service: HoldersService; calls: Array<[string, unknown, unknown]> } {
  const calls: Array<[string, unknown, unknown]> = [];
  const service = new Proxy({} as HoldersService, {
    get: (_t, name) => async (input: unknown, caller: unknown) => {
      calls.push([String(name), input, caller]);
      return {};
    },
  });
  return { service, calls };
}

/** Every schema node that an XML mapping could not express plainly. */
function xmlUnfriendly(schema: unknown, path = '$'): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Record<string, unknown>;
  const out: string[] = [];
  for (const k of ['anyOf', 'oneOf', 'allOf']) {
    const alts = s[k] as Array<Record<string, unknown>> | undefined;
    if (alts && alts.some((a) => a.type === 'object' || a.properties)) out.push(`${path}: ${k} of objects`);
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.push(`${path}: record with arbitrary keys`);
  if (s.patternProperties) out.push(`${path}: patternProperties`);
  for (const [k, v] of Object.entries((s.properties as Record<string, unknown>) ?? {})) out.push(...xmlUnfriendly(v, `${path}.${k}`));
  if (s.items) out.push(...xmlUnfriendly(s.items, `${path}[]`));
  if (Array.isArray(s.anyOf)) s.anyOf.forEach((a, i) => out.push(...xmlUnfriendly(a, `${path}|${i}`)));
  return out;
}

describe('holders: the service group', () => {
  const { service, calls } = recordingService();
  const { group, operatorOperations } = holdersOperations(service, () => new Date('2026-01-01T00:00:00Z'));

  it('is pd-holders-registry with the seven operations of CONTRACT §5', () => {
    expect(group.subsystem).to.equal('pd-holders-registry');
    expect(group.namespace).to.equal(HOLDERS_NAMESPACE).and.equal('urn:kg:dpa:holders-registry:v1');
    expect(group.operations.map((o) => o.serviceCode)).to.deep.equal([
      'registerHolder',
      'submitDataArrays',
      'submitPersonalDataList',
      'reviewApplication',
      'getApplicationStatus',
      'getHolder',
      'listHolders',
    ]);
    expect(group.operations.map((o) => o.kind)).to.deep.equal(['write', 'write', 'write', 'write', 'read', 'read', 'read']);
  });

  it('binds each operation to /api/v1', () => {
    expect(Object.fromEntries([...group.operations, ...operatorOperations].map((o) => [o.serviceCode, `${o.rest?.method} ${o.rest?.path}`]))).to.deep.equal({
      registerHolder: 'POST /holders',
      submitDataArrays: 'PUT /holders/:inn/data-arrays',
      submitPersonalDataList: 'PUT /holders/:inn/personal-data',
      reviewApplication: 'POST /holders/:inn/review',
      getApplicationStatus: 'GET /holders/:inn/status',
      getHolder: 'GET /holders/:inn',
      listHolders: 'GET /holders',
      listOverdueApplications: 'GET /holders-reports/overdue',
      getHolderHistory: 'GET /holders/:inn/history',
    });
  });

  it('has titles in ky, ru and en, v1, the group namespace', () => {
    for (const o of [...group.operations, ...operatorOperations]) {
      expect(o.version).to.equal('v1');
      expect(o.namespace).to.equal(group.namespace);
      for (const lang of ['ky', 'ru', 'en'] as const) expect(o.title[lang], `${o.serviceCode} ${lang}`).to.be.a('string').and.not.equal('');
    }
    for (const lang of ['ky', 'ru', 'en'] as const) expect(group.title[lang]).not.to.equal('');
  });

  it('registers in the transports’ operation table', () => {
    expect(() => new OperationTable().register(group)).not.to.throw();
  });

  it('has input and output schemas an XML mapping can express', () => {
    // The detector itself sees what it must refuse.
    expect(xmlUnfriendly(z.toJSONSchema(z.object({ u: z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]) })))).to.have.length(1);
    expect(xmlUnfriendly(z.toJSONSchema(z.object({ r: z.record(z.string(), z.string()) })))).to.have.length(1);
    for (const o of [...group.operations, ...operatorOperations]) {
      for (const [io, schema] of [['input', o.input], ['output', o.output]] as const) {
        const json = z.toJSONSchema(schema, { io: io === 'input' ? 'input' : 'output', unrepresentable: 'any' });
        expect(xmlUnfriendly(json), `${o.serviceCode} ${io}`).to.deep.equal([]);
      }
    }
  });

  it('handlers pass the caller from the call context', async () => {
    const now = new Date('2026-11-23T04:00:00Z');
    const ctx: CallContext = {
      transport: 'soap',
      client: 'central-server/GOV/70000030/e-kyzmat-portal',
      clientId: { objectType: 'SUBSYSTEM', xRoadInstance: 'central-server', memberClass: 'GOV', memberCode: '70000030', subsystemCode: 'e-kyzmat-portal' },
      userId: '21503199000017',
      messageId: 'm1',
      requestId: 'r1',
      lang: 'ru',
      attachments: [],
      now,
    };
    await group.operations.find((o) => o.serviceCode === 'getHolder')!.handler({ inn: '01001202210023' }, ctx);
    expect(calls.at(-1)).to.deep.equal(['getHolder', { inn: '01001202210023' }, { client: ctx.client, userId: ctx.userId, requestId: 'r1', now }]);
  });

  it('the transports’ validation shows the registry’s own messages', async () => {
    const table = new OperationTable().register(group);
    const op = table.find('pd-holders-registry', 'submitDataArrays', 'v1')!;
    try {
      await table.call(op, { inn: '01001202210023', arrayNames: [' '] }, {} as CallContext);
      expect.fail('should refuse');
    } catch (e) {
      const err = e as AppError;
      expect(err.code).to.equal('VALIDATION_FAILED');
      const blank = err.fields.find((f) => f.field === 'arrayNames[0]');
      expect(blank?.message.ky).to.equal('«Жеке маалыматтардын массивинин аталышы» тизмесинде бош элемент бар.');
    }
  });
});

describe('holders: vocabularies and labels', () => {
  it('have the seed’s counts: 5 notification methods, 7 measures, 16 data items, 6 special and 6 subject categories', () => {
    expect(VOCABULARIES.notificationMethods).to.have.length(5);
    expect(VOCABULARIES.securityMeasures).to.have.length(7);
    expect(VOCABULARIES.personalData).to.have.length(16);
    expect(VOCABULARIES.specialCategories).to.have.length(6);
    expect(VOCABULARIES.subjectCategories).to.have.length(6);
    expect(VOCABULARIES.processorKinds.map((e) => e.code)).to.deep.equal(['LEGAL_ENTITY', 'INDIVIDUAL', 'NONE']);
  });

  it('use the seed’s Kyrgyz checkbox labels', () => {
    const ky = (list: ReadonlyArray<{ code: string; label: { ky: string } }>, code: string) => list.find((e) => e.code === code)?.label.ky;
    expect(ky(VOCABULARIES.securityMeasures, 'SERVER_ROOM_ACCESS_LOG')).to.equal('Сервер белмөсүн колдонуунун каттоо журналы');
    expect(ky(VOCABULARIES.personalData, 'PASSPORT_DATA')).to.equal('паспорттун маалыматтары (сериясы, номери, ким тарабынан жана качан берилген)');
    expect(ky(VOCABULARIES.subjectCategories, 'BORROWER')).to.equal('карыз алуучу');
    expect(ky(VOCABULARIES.notificationMethods, 'PUSH_NOTIFICATION')).to.equal('Пуш-эскертме');
    expect(ky(VOCABULARIES.statuses, 'UNDER_REVIEW')).to.equal('Каралууда');
    expect(ky(VOCABULARIES.statuses, 'APPROVED')).to.equal('Макулдашылды');
  });

  it('every code and field label has distinct, non-empty ky, ru and en texts', () => {
    for (const [name, list] of Object.entries(VOCABULARIES)) {
      expect(new Set(list.map((e) => e.code)).size, name).to.equal(list.length);
      for (const e of list) for (const lang of ['ky', 'ru', 'en'] as const) expect(e.label[lang], `${name}.${e.code}.${lang}`).to.match(/\S/);
    }
    for (const [field, label] of Object.entries(FIELD_LABELS)) for (const lang of ['ky', 'ru', 'en'] as const) expect(label[lang], `${field}.${lang}`).to.match(/\S/);
  });
});

describe('holders: identifiers', () => {
  const now = new Date('2026-11-23T00:00:00Z');

  it('INN: first digit 0, 1 or 2, a real registration date not in the future, 5 digits', () => {
    expect(isPlausibleInn('01001202210023', now)).to.equal(true);
    expect(isPlausibleInn('02902202410023', now)).to.equal(true); // 29 February 2024
    expect(isPlausibleInn('02902202310023', now)).to.equal(false); // no 29 February 2023
    expect(isPlausibleInn('01001202710023', now)).to.equal(false); // 2027
    expect(isPlausibleInn('31001202210023', now)).to.equal(false);
    expect(isPlausibleInn('01001189910023', now)).to.equal(false);
  });

  it('PIN: 1 or 2, a real birth date, 5 digits', () => {
    expect(isPlausiblePin('21503199000017', now)).to.equal(true);
    expect(isPlausiblePin('11208198500024', now)).to.equal(true);
    expect(isPlausiblePin('01001202210023', now)).to.equal(false);
    expect(isPlausiblePin('23213199000017', now)).to.equal(false);
  });

  it('registration numbers print as 2-NNNNN', () => {
    expect(formatRegistrationNumber(1)).to.equal('2-00001');
    expect(formatRegistrationNumber(12345)).to.equal('2-12345');
    expect(formatRegistrationNumber(123456)).to.equal('2-123456');
  });
});

describe('holders: change diff', () => {
  it('lists changed leaves with old and new values, objects that appear leaf by leaf', () => {
    expect(
      diffDocuments(
        { status: 'DRAFT', holder: { name: 'A', legalAddress: { region: 'Ош' } }, list: ['a'] },
        { status: 'REGISTERED', holder: { name: 'A', legalAddress: { region: 'Бишкек' } }, list: ['a', 'b'], review: { decision: 'APPROVED' } },
      ),
    ).to.deep.equal([
      { path: 'holder.legalAddress.region', before: 'Ош', after: 'Бишкек' },
      { path: 'list', before: ['a'], after: ['a', 'b'] },
      { path: 'review.decision', after: 'APPROVED' },
      { path: 'status', before: 'DRAFT', after: 'REGISTERED' },
    ]);
    expect(diffDocuments({ a: { b: 1 } }, { a: { b: 1 } })).to.deep.equal([]);
    expect(diffDocuments({ review: { comment: 'x' } }, {})).to.deep.equal([{ path: 'review.comment', before: 'x' }]);
  });
});
