import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENCY_ACTOR_PIN, AGENCY_INN, AGENCY_STAGE_1, AGENCY_STAGE_2, AGENCY_STAGE_3 } from '../../fixtures/holders/agency-example.js';
import { INFRA_CLIENTS, SAMPLE_EMPLOYEE, sampleDecisionCopy, sampleDeregistrationNotice, sampleElementData, sampleFiles, sampleNotice, sampleSubmission } from '../../fixtures/infra/sample-element.js';
import type { SigningIdentity } from '../../src/pki/key-store.js';
import type { XRoadIdentifier } from '../../src/operations/types.js';
import { parseEnvelope } from '../../src/xroad/envelope.js';
import { encodeWrapper, objectShapeOf } from '../../src/xroad/schema-xml.js';
import { GOLDEN_DIR, OTHER, PORTAL, id, pingBody, serviceId, signedRequest, type RequestSpec } from '../integration/transport/harness.js';
import { scanElements } from './xml-spans.js';
import { AGENCY, fuzzSigners, type FuzzSigners, type FuzzTargetHandle, type WireRequest, type XRoadClient } from './target.js';

export const HOLDERS_PROVIDER = 'central-server/GOV/70000099/pd-holders-registry';
export const INFRA_PROVIDER = 'central-server/GOV/70000098/egov-infra-registry';
export const PING_PROVIDER = 'central-server/GOV/70000099/adapter-test';
const XROAD_GOLDEN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/xroad/golden');
const REVIEWER_PIN = '12506198800031';
const XOP = 'http://www.w3.org/2004/08/xop/include';

export interface SeedAttachment {
  contentId: string;
  contentType: string;
  bytes: Buffer;
}

export interface Seed {
  name: string;
  /** How to sign it again (absent for committed golden files, which are sent as they are). */
  spec?: RequestSpec;
  /** The envelope as sent. */
  xml: string;
  attachments: SeedAttachment[];
  packaging: 'xml' | 'swa' | 'mtom';
  /** Picked this many times more often than a weight-1 seed. */
  weight: number;
}

export interface Corpus {
  seeds: Seed[];
  signers: FuzzSigners;
  /** Every signing identity, for signer swaps. */
  identities: SigningIdentity[];
  now: Date;
  /** X-Road identifiers the mutations swap in. */
  clients: XRoadIdentifier[];
  services: XRoadIdentifier[];
  serviceCodes: string[];
}

/** Bishkek calendar date of an instant. */
const bishkekDate = (d: Date): string => new Date(d.getTime() + 6 * 3_600_000).toISOString().slice(0, 10);

interface SeedDef {
  name: string;
  client: string;
  signer: SigningIdentity;
  provider: string;
  serviceCode: string;
  value?: unknown;
  bodyXml?: string;
  userId?: string;
  attachments?: SeedAttachment[];
  packaging?: Seed['packaging'];
  extra?: Partial<RequestSpec>;
  weight?: number;
}

/** Wraps an envelope (and attachments) the way a security server sends it. */
export function packageSeed(xml: string | Buffer, packaging: Seed['packaging'], attachments: SeedAttachment[]): WireRequest {
  if (packaging === 'xml') return { body: Buffer.isBuffer(xml) ? xml : Buffer.from(xml, 'utf8'), contentType: 'text/xml; charset=utf-8' };
  const boundary = 'MIME_fuzz_boundary';
  const root = packaging === 'mtom' ? 'Content-Type: application/xop+xml; charset=UTF-8; type="text/xml"' : 'Content-Type: text/xml; charset=UTF-8';
  const chunks: Buffer[] = [Buffer.from(`--${boundary}\r\n${root}\r\nContent-Transfer-Encoding: 8bit\r\nContent-ID: <root.fuzz>\r\n\r\n`), Buffer.isBuffer(xml) ? xml : Buffer.from(xml, 'utf8'), Buffer.from('\r\n')];
  for (const a of attachments) chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${a.contentType}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${a.contentId}>\r\n\r\n`), a.bytes, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const type = packaging === 'mtom' ? 'type="application/xop+xml"; start-info="text/xml"' : 'type="text/xml"';
  return { body: Buffer.concat(chunks), contentType: `multipart/related; ${type}; boundary="${boundary}"; start="<root.fuzz>"` };
}

/**
 * The seed corpus: valid signed requests for ping (plain, all headers, SwA, MTOM), every holders
 * and infra operation with the fixtures' bodies (files as SwA), golden files as committed, and the
 * golden bodies signed again. Each valid seed is first sent once with a fresh xrd:id and must
 * succeed: that both proves the corpus reaches the handlers and walks the registries through
 * their states (one holder approved, one element deregistered, one waiting for its data).
 */
export async function buildCorpus(target: FuzzTargetHandle, client: XRoadClient): Promise<Corpus> {
  const signers = fuzzSigners();
  const now = target.now;
  const encode = (provider: string, serviceCode: string, value: unknown): string => {
    const subsystem = provider.split('/')[3];
    const op = target.table.find(subsystem, serviceCode, 'v1');
    if (!op) throw new Error(`no operation ${subsystem}/${serviceCode}`);
    return encodeWrapper(serviceCode, op.namespace, value, objectShapeOf(op.input, 'input'), subsystem === 'egov-infra-registry' ? 'i' : 'h');
  };
  const specOf = (d: SeedDef, xrdId?: string): RequestSpec => ({
    client: id(d.client),
    service: serviceId(d.provider, d.serviceCode),
    ...(xrdId ? { id: xrdId } : {}),
    ...(d.userId ? { userId: d.userId } : {}),
    bodyXml: d.bodyXml ?? encode(d.provider, d.serviceCode, d.value),
    signer: d.signer,
    now,
    ...(d.attachments?.length ? { attachments: d.attachments } : {}),
    ...d.extra,
  });

  /** Sends a definition once with a fresh id; it must be answered without a fault. */
  const run = async (d: SeedDef): Promise<string> => {
    const wire = packageSeed(signedRequest(specOf(d)), d.packaging ?? 'xml', d.attachments ?? []);
    const r = await client.post(wire, 10_000);
    const text = r.body.toString('utf8');
    if (r.status !== 200) throw new Error(`fuzz corpus: ${d.name} was refused (${r.status}): ${text.slice(text.indexOf('<soapenv:Body'), text.indexOf('<soapenv:Body') + 1500)}`);
    return text;
  };
  const elementIdOf = (text: string): string => {
    const m = /elementId>([^<]+)</.exec(text);
    if (!m) throw new Error('fuzz corpus: no elementId in the notice response');
    return m[1];
  };

  const defs: SeedDef[] = [];
  const ping = (name: string, extra: Partial<SeedDef>): SeedDef => ({ name, client: PORTAL, signer: signers.portal, provider: PING_PROVIDER, serviceCode: 'ping', bodyXml: pingBody('fuzz'), weight: 2, ...extra });
  const pdf = sampleDecisionCopy().bytes;
  defs.push(
    ping('ping', {}),
    ping('ping-all-headers', { userId: 'KG21234567890123', extra: { issue: 'fuzz-issue', representedParty: { partyClass: 'COM', partyCode: '12345678' }, extraHeaders: ['<x:trace xmlns:x="urn:example:trace">trace-1</x:trace>'] } }),
    ping('ping-swa', { bodyXml: '<t:ping xmlns:t="urn:kg:tunduk:adapter-test:v1"><t:text>file</t:text><t:file>cid:doc1%40fuzz</t:file></t:ping>', attachments: [{ contentId: 'doc1@fuzz', contentType: 'application/pdf', bytes: pdf }], packaging: 'swa' }),
    ping('ping-mtom', { bodyXml: `<t:ping xmlns:t="urn:kg:tunduk:adapter-test:v1"><t:text>file</t:text><t:file><xop:Include xmlns:xop="${XOP}" href="cid:doc1@fuzz"/></t:file></t:ping>`, attachments: [{ contentId: 'doc1@fuzz', contentType: 'application/pdf', bytes: pdf }], packaging: 'mtom' }),
  );
  const holder = { client: PORTAL, signer: signers.portal, provider: HOLDERS_PROVIDER, userId: AGENCY_ACTOR_PIN };
  const agency = { client: AGENCY, signer: signers.agency, provider: HOLDERS_PROVIDER, userId: REVIEWER_PIN };
  const other = { client: OTHER, signer: signers.other, provider: HOLDERS_PROVIDER };
  defs.push(
    { name: 'registerHolder', ...holder, serviceCode: 'registerHolder', value: AGENCY_STAGE_1, weight: 2 },
    { name: 'submitDataArrays', ...holder, serviceCode: 'submitDataArrays', value: AGENCY_STAGE_2, weight: 2 },
    { name: 'submitPersonalDataList', ...holder, serviceCode: 'submitPersonalDataList', value: AGENCY_STAGE_3, weight: 2 },
    { name: 'reviewApplication', ...agency, serviceCode: 'reviewApplication', value: { inn: AGENCY_INN, decision: 'APPROVED' } },
    { name: 'getApplicationStatus', ...holder, serviceCode: 'getApplicationStatus', value: { inn: AGENCY_INN } },
    { name: 'getHolder', ...other, serviceCode: 'getHolder', value: { inn: AGENCY_INN } },
    { name: 'listHolders', ...other, serviceCode: 'listHolders', value: { limit: 10, status: 'APPROVED' } },
  );
  for (const d of defs) await run(d);

  // Infra: one element walked through its whole life, a second one left waiting for its data.
  const subject = { client: INFRA_CLIENTS.subject, signer: signers.infraSubject, provider: INFRA_PROVIDER };
  const body = { client: INFRA_CLIENTS.authorizedBody, signer: signers.authorizedBody, provider: INFRA_PROVIDER };
  const operator = { client: INFRA_CLIENTS.operator, signer: signers.infraOperator, provider: INFRA_PROVIDER };
  const files = sampleFiles().map((f) => ({ contentId: f.contentId, contentType: f.contentType, bytes: f.bytes }));
  const decisionCopy = [{ contentId: 'decision-copy', contentType: 'application/pdf', bytes: pdf }];
  const noticeDef: SeedDef = { name: 'submitRegistrationNotice', ...subject, serviceCode: 'submitRegistrationNotice', value: sampleNotice(), weight: 2 };
  const infraDefs = (elementId: string, waiting: string): SeedDef[] => {
    const sub = sampleSubmission(waiting);
    const dataValue = { ...sub, technicalDocumentation: (sub.technicalDocumentation ?? []).map((c) => `cid:${c}`), commissioningActFile: `cid:${sub.commissioningActFile}` };
    return [
      { name: 'forwardNotice', ...body, serviceCode: 'forwardNotice', value: { elementId } },
      { name: 'grantInputAccess', ...operator, serviceCode: 'grantInputAccess', value: { elementId } },
      { name: 'submitElementData', ...subject, serviceCode: 'submitElementData', userId: SAMPLE_EMPLOYEE.pin, value: dataValue, attachments: files, packaging: 'swa', weight: 3 },
      { name: 'decideRegistration', ...operator, serviceCode: 'decideRegistration', value: { elementId, decision: 'REGISTERED' } },
      { name: 'updateElement', ...subject, serviceCode: 'updateElement', userId: SAMPLE_EMPLOYEE.pin, value: { elementId, data: { ...sampleElementData(), numberOfUsers: 99 } }, weight: 2 },
      {
        name: 'submitDeregistrationNotice',
        ...subject,
        serviceCode: 'submitDeregistrationNotice',
        value: { ...sampleDeregistrationNotice(elementId, bishkekDate(now)), decisionCopy: 'cid:decision-copy' },
        attachments: decisionCopy,
        packaging: 'swa',
        weight: 2,
      },
      { name: 'deregisterElement', ...operator, serviceCode: 'deregisterElement', value: { elementId, agreementReference: '№ 1' } },
      { name: 'getElement', ...subject, serviceCode: 'getElement', value: { elementId } },
      { name: 'listElements', ...operator, serviceCode: 'listElements', value: { elementType: 'INFORMATION_SYSTEM', limit: 5 } },
    ];
  };
  const walked = elementIdOf(await run(noticeDef));
  const waiting = elementIdOf(await run(noticeDef));
  for (const step of ['forwardNotice', 'grantInputAccess']) {
    const d = infraDefs(waiting, waiting).find((x) => x.name === step);
    if (d) await run(d);
  }
  // The walk: the data submission names the walked element here (the seed keeps the waiting one).
  for (const d of infraDefs(walked, walked)) await run(d);
  defs.push(noticeDef, ...infraDefs(walked, waiting));

  const seeds: Seed[] = defs.map((d) => {
    const spec = specOf(d, `fuzz-seed-${d.name}`);
    return { name: d.name, spec, xml: signedRequest(spec), attachments: d.attachments ?? [], packaging: d.packaging ?? 'xml', weight: d.weight ?? 1 };
  });

  // Golden files: sent as committed (masked or signed for another time and CA), and their bodies signed again.
  const identities = Object.values(signers);
  const goldenFiles = [
    ...fs.readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.request.xml')).map((f) => path.join(GOLDEN_DIR, f)),
    ...fs.readdirSync(XROAD_GOLDEN_DIR).filter((f) => f.endsWith('.xml')).map((f) => path.join(XROAD_GOLDEN_DIR, f)),
  ];
  for (const file of goldenFiles) {
    const xml = fs.readFileSync(file, 'utf8');
    const name = `golden:${path.basename(file, '.xml')}`;
    seeds.push({ name, xml, attachments: [], packaging: 'xml', weight: 0.5 });
    const env = parseEnvelope(xml);
    const h = env.headers;
    const bodySpan = scanElements(xml).find((s) => s.name === 'soapenv:Body');
    if (!h || !bodySpan) continue;
    const signer = identities.find((i) => i.memberCode === h.client.memberCode) ?? signers.portal;
    const spec: RequestSpec = {
      client: h.client,
      service: h.service,
      id: `fuzz-seed-${name}`,
      ...(h.userId !== undefined ? { userId: h.userId } : {}),
      ...(h.issue !== undefined ? { issue: h.issue } : {}),
      ...(h.representedParty ? { representedParty: h.representedParty } : {}),
      bodyXml: xml.slice(bodySpan.openEnd, bodySpan.closeStart).trim(),
      signer,
      now,
    };
    seeds.push({ name: `${name}:resigned`, spec, xml: signedRequest(spec), attachments: [], packaging: 'xml', weight: 0.5 });
  }

  const member = (code: string, sub?: string, cls = 'GOV'): XRoadIdentifier => ({ objectType: sub ? 'SUBSYSTEM' : 'MEMBER', xRoadInstance: 'central-server', memberClass: cls, memberCode: code, ...(sub ? { subsystemCode: sub } : {}) });
  const clients = [
    id(PORTAL),
    id(OTHER),
    id(AGENCY),
    ...Object.values(INFRA_CLIENTS).map((c) => id(c)),
    member('70000030'),
    member('70000030', 'portal', 'COM'),
    member('99999999', 'nobody'),
    { ...id(PORTAL), xRoadInstance: 'other-instance' },
  ];
  const serviceCodes = [...new Set(target.table.operations().map((o) => o.serviceCode))];
  const services = [
    ...target.table.operations().map((o) => serviceId(o.subsystem === 'adapter-test' ? PING_PROVIDER : o.subsystem === 'pd-holders-registry' ? HOLDERS_PROVIDER : INFRA_PROVIDER, o.serviceCode)),
    serviceId(HOLDERS_PROVIDER, 'getHolder', 'v2'),
    serviceId(HOLDERS_PROVIDER, 'getHolder', null),
    serviceId('central-server/GOV/70000098/pd-holders-registry', 'getHolder'),
    serviceId('central-server/GOV/70000024/minjust-service', 'getSubjectByTin', null),
    { ...serviceId(HOLDERS_PROVIDER, 'getHolder'), subsystemCode: undefined },
  ];
  return { seeds, signers, identities, now, clients, services, serviceCodes };
}
