import crypto from 'node:crypto';
import { expect } from 'chai';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { OperationTable } from '../../../src/operations/operation-table.js';
import { encodeWrapper, objectShapeOf } from '../../../src/xroad/schema-xml.js';
import type { z } from 'zod';
import {
  innOnlyInput,
  registerHolderInput,
  reviewApplicationInput,
  submitDataArraysInput,
  submitPersonalDataListInput,
} from '../../../src/registries/holders/holders-schemas.js';
import { HOLDERS_NAMESPACE } from '../../../src/registries/holders/holders-operations.js';
import { AGENCY_ACTOR_PIN, AGENCY_INN, AGENCY_LEGAL_ENTITY, AGENCY_STAGE_1, AGENCY_STAGE_2, AGENCY_STAGE_3 } from '../../../fixtures/holders/agency-example.js';
import { OTHER, PORTAL, id, keys, parseResponse, post, serviceId, signedRequest, startServer, testConfig, verifyResponse, type TestServer } from '../transport/harness.js';
import { REVIEWER_PIN, innFor, makeHarness, type Harness } from './holders-harness.js';

const PROVIDER = 'central-server/GOV/70000099/pd-holders-registry';
const AGENCY = 'central-server/GOV/70000099/dpa-backoffice';
const PORTAL_TOKEN = 'portal-token-0123456789abcdef';
const AGENCY_TOKEN = 'agency-token-0123456789abcdef';
const sha = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

const HOLDER_OPS = ['registerHolder', 'submitDataArrays', 'submitPersonalDataList', 'getApplicationStatus', 'getHolder', 'listHolders'];

/** The ACL of the matrix: the portal files applications, the Agency reviews, another ministry only reads the public list. */
const config = testConfig({
  acl: {
    [PORTAL]: { 'pd-holders-registry': HOLDER_OPS },
    [AGENCY]: { 'pd-holders-registry': ['*'] },
    [OTHER]: { 'pd-holders-registry': ['listHolders', 'getHolder'] },
  },
  api: {
    clients: {
      portal: { xroadClient: PORTAL, tokenSha256: sha(PORTAL_TOKEN) },
      agency: { xroadClient: AGENCY, tokenSha256: sha(AGENCY_TOKEN) },
    },
  },
});

function body(serviceCode: string, schema: z.ZodType, value: unknown): string {
  return encodeWrapper(serviceCode, HOLDERS_NAMESPACE, value, objectShapeOf(schema, 'input'), 'h');
}

async function soap(srv: TestServer, o: { client: string; signer: string; serviceCode: string; schema: z.ZodType; value: unknown; userId?: string }) {
  const xml = signedRequest({
    client: id(o.client),
    service: serviceId(PROVIDER, o.serviceCode),
    ...(o.userId ? { userId: o.userId } : {}),
    bodyXml: body(o.serviceCode, o.schema, o.value),
    signer: keys.identity(o.signer),
  });
  const res = await post(`${srv.url}/xroad`, xml);
  verifyResponse(res.text);
  return { status: res.status, ...parseResponse(res.text) };
}

describe('holders over the real transports', () => {
  let store: TestStore;
  let srv: TestServer;
  let h: Harness;

  before(async () => {
    store = await freshStore('sqlite');
    h = makeHarness(store);
    srv = await startServer({ store, config, table: new OperationTable().register(h.registry.group) });
  });
  after(async () => {
    await srv?.close();
    await store?.dispose();
  });

  describe('the Agency example over signed SOAP (POST /xroad)', () => {
    const holder = { client: PORTAL, signer: '70000030', userId: AGENCY_ACTOR_PIN };

    it('stage I → II → number 2-00001 → III → review → approved', async () => {
      const s1 = await soap(srv, { ...holder, serviceCode: 'registerHolder', schema: registerHolderInput, value: AGENCY_STAGE_1 });
      expect(s1.faultCode, JSON.stringify(s1.messages)).to.equal(undefined);
      expect(s1.wrapper).to.deep.include({ local: 'registerHolderResponse', ns: HOLDERS_NAMESPACE });
      expect(s1.wrapper?.values).to.include({ inn: AGENCY_INN, status: 'DRAFT' });

      const s2 = await soap(srv, { ...holder, serviceCode: 'submitDataArrays', schema: submitDataArraysInput, value: AGENCY_STAGE_2 });
      expect(s2.wrapper?.values).to.include({ status: 'REGISTERED', registrationNumber: '2-00001', newlyRegistered: 'true' });

      const s3 = await soap(srv, { ...holder, serviceCode: 'submitPersonalDataList', schema: submitPersonalDataListInput, value: AGENCY_STAGE_3 });
      expect(s3.wrapper?.values).to.include({ status: 'UNDER_REVIEW', overdue: 'false' });
      expect(s3.wrapper?.values.dueDate).to.match(/^\d{4}-\d{2}-\d{2}$/);

      const review = await soap(srv, { client: AGENCY, signer: '70000099', userId: REVIEWER_PIN, serviceCode: 'reviewApplication', schema: reviewApplicationInput, value: { inn: AGENCY_INN, decision: 'APPROVED' } });
      expect(review.wrapper?.values).to.include({ status: 'APPROVED' });

      const status = await soap(srv, { ...holder, serviceCode: 'getApplicationStatus', schema: innOnlyInput, value: { inn: AGENCY_INN } });
      expect(status.wrapper?.values).to.include({ status: 'APPROVED', registrationNumber: '2-00001' });
    });

    it('a missing mandatory field is a Client.ValidationFailed fault naming it, in three languages', async () => {
      const { responsiblePerson: _r, ...noPerson } = AGENCY_STAGE_1;
      const r = await soap(srv, { ...holder, serviceCode: 'registerHolder', schema: registerHolderInput, value: { ...noPerson, inn: innFor(1) } });
      expect(r.faultCode).to.equal('Client.ValidationFailed');
      expect(r.fields).to.deep.include({ name: 'responsiblePerson', reason: 'required' });
      expect(Object.keys(r.messages).sort()).to.deep.equal(['en', 'ky', 'ru']);
    });

    it('an illegal transition is Client.InvalidState; a refused certificate Client.AccessDenied', async () => {
      const again = await soap(srv, { client: AGENCY, signer: '70000099', userId: REVIEWER_PIN, serviceCode: 'reviewApplication', schema: reviewApplicationInput, value: { inn: AGENCY_INN, decision: 'REJECTED', comment: 'x' } });
      expect(again.faultCode).to.equal('Client.InvalidState');
      expect(again.messages.en).to.contain('APPROVED');
      const inn = innFor(2);
      h.minjust.add({ ...AGENCY_LEGAL_ENTITY, inn });
      h.bis.refuse(AGENCY_ACTOR_PIN, inn, 'EXPIRED');
      const refused = await soap(srv, { ...holder, serviceCode: 'registerHolder', schema: registerHolderInput, value: { ...AGENCY_STAGE_1, inn } });
      expect(refused.faultCode).to.equal('Client.AccessDenied');
      expect(refused.detailCode).to.equal('NOT_AUTHORIZED_FOR_ORGANISATION');
    });

    it('ACL: the portal may not review, another ministry may not file', async () => {
      const portalReview = await soap(srv, { ...holder, serviceCode: 'reviewApplication', schema: reviewApplicationInput, value: { inn: AGENCY_INN, decision: 'APPROVED' } });
      expect(portalReview.faultCode).to.equal('Client.AccessDenied');
      const otherFiles = await soap(srv, { client: OTHER, signer: '70000050', userId: AGENCY_ACTOR_PIN, serviceCode: 'registerHolder', schema: registerHolderInput, value: AGENCY_STAGE_1 });
      expect(otherFiles.faultCode).to.equal('Client.AccessDenied');
      const otherReads = await soap(srv, { client: OTHER, signer: '70000050', serviceCode: 'getHolder', schema: innOnlyInput, value: { inn: AGENCY_INN } });
      expect(otherReads.faultCode).to.equal(undefined);
      expect(otherReads.wrapper?.values).to.include({ contactsHidden: 'true', status: 'APPROVED' });
    });
  });

  describe('rejection and resubmission over JSON (/api/v1)', () => {
    const inn = innFor(50);
    const api = async (method: string, path: string, o: { token?: string; pin?: string; body?: unknown; lang?: string } = {}) => {
      const r = await fetch(`${srv.url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${o.token ?? PORTAL_TOKEN}`,
          ...(o.pin ? { 'x-user-token': `good-${o.pin}` } : {}),
          ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
          'accept-language': o.lang ?? 'ky',
        },
        body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
      });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    before(() => {
      h.minjust.add({ ...AGENCY_LEGAL_ENTITY, inn });
      h.bis.allow(AGENCY_ACTOR_PIN, inn);
    });

    it('files the three stages, is rejected with a comment, corrects, resubmits and is approved', async () => {
      const { inn: _i, ...s2 } = AGENCY_STAGE_2;
      const { inn: _j, ...s3 } = AGENCY_STAGE_3;
      const pin = AGENCY_ACTOR_PIN;
      expect((await api('POST', '/holders', { pin, body: { ...AGENCY_STAGE_1, inn } })).json).to.include({ status: 'DRAFT' });
      expect((await api('PUT', `/holders/${inn}/data-arrays`, { pin, body: s2 })).json).to.include({ status: 'REGISTERED', registrationNumber: '2-00002' });
      expect((await api('PUT', `/holders/${inn}/personal-data`, { pin, body: s3 })).json).to.include({ status: 'UNDER_REVIEW' });

      const noComment = await api('POST', `/holders/${inn}/review`, { token: AGENCY_TOKEN, pin: REVIEWER_PIN, body: { decision: 'REJECTED' } });
      expect(noComment.status).to.equal(422);
      const [commentError] = noComment.json.fields as Array<{ field: string; reason: string; message: string; messages: Record<string, string> }>;
      // The reason is the transport's ("invalid" for a cross-field check) until it reads the check's own one (requiredWhen).
      expect(commentError.field).to.equal('comment');
      expect(commentError.message).to.equal(commentError.messages.ky).and.contain('«Агенттиктин комментарийи» милдеттүү');
      expect(commentError.messages.en).to.contain('because the application is rejected');

      const rejected = await api('POST', `/holders/${inn}/review`, { token: AGENCY_TOKEN, pin: REVIEWER_PIN, body: { decision: 'REJECTED', comment: 'Укажите сроки хранения.' } });
      expect(rejected.json).to.include({ status: 'REJECTED', reviewComment: 'Укажите сроки хранения.' });
      const seen = await api('GET', `/holders/${inn}/status`, { pin });
      expect(seen.json).to.include({ status: 'REJECTED', reviewComment: 'Укажите сроки хранения.' });

      expect((await api('PUT', `/holders/${inn}/data-arrays`, { pin, body: { ...s2, processingEndConditions: ['3 года после окончания конкурса'] } })).json).to.include({
        status: 'REJECTED',
        newlyRegistered: false,
      });
      expect((await api('PUT', `/holders/${inn}/personal-data`, { pin, body: s3 })).json).to.include({ status: 'UNDER_REVIEW' });
      expect((await api('POST', `/holders/${inn}/review`, { token: AGENCY_TOKEN, pin: REVIEWER_PIN, body: { decision: 'APPROVED' } })).json).to.include({ status: 'APPROVED' });

      const list = await api('GET', '/holders?limit=1');
      expect(list.status).to.equal(200);
      expect((list.json.items as unknown[]).length).to.equal(1);
      expect(list.json.nextCursor).to.be.a('string');
      const page2 = await api('GET', `/holders?limit=1&cursor=${list.json.nextCursor as string}`);
      expect((page2.json.items as Array<{ inn: string }>)[0].inn).to.equal(inn);
    });

    it('the web UI without a user token cannot file', async () => {
      const r = await api('POST', '/holders', { body: { ...AGENCY_STAGE_1, inn } });
      expect(r.status).to.equal(401);
      expect(r.json.code).to.equal('UNAUTHENTICATED');
    });

    it('getHolder shows contacts to the Agency, not to the portal', async () => {
      const agency = await api('GET', `/holders/${inn}`, { token: AGENCY_TOKEN });
      expect(agency.json).to.include({ contactsHidden: false });
      const portal = await api('GET', `/holders/${inn}`);
      expect(portal.json).to.include({ contactsHidden: true });
      expect(JSON.stringify(portal.json)).not.to.contain('zhumanazarov');
    });
  });
});
