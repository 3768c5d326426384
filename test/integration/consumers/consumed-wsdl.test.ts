import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import * as soap from 'soap';
import { buildXRoadHeaders } from '../../../src/xroad/headers.js';
import { startSandbox, type Sandbox } from '../../../fixtures/sandbox/start-sandbox.js';
import { testPki } from './consumers-fixture.js';

const WSDL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../wsdl/consumed');

/** X-Road 4.0 headers for a call from the adapter's client subsystem to `service/serviceCode`. */
function xroadHeaders(service: string, serviceCode: string): string[] {
  const [i, c, m, s] = service.split('/');
  return buildXRoadHeaders({
    client: { objectType: 'SUBSYSTEM', xRoadInstance: 'central-server', memberClass: 'GOV', memberCode: '70000099', subsystemCode: 'registry-adapter' },
    service: { objectType: 'SERVICE', xRoadInstance: i, memberClass: c, memberCode: m, subsystemCode: s, serviceCode },
    id: crypto.randomUUID(),
    protocolVersion: '4.0',
  });
}

/**
 * The consumed WSDLs are usable by an ordinary SOAP toolkit as they are, and describe what the
 * stand-ins speak: node-soap reads them and calls the (unsigned-accepting) stand-ins with them.
 */
describe('wsdl/consumed with node-soap', () => {
  let sandbox: Sandbox;
  before(async () => {
    // No trust store: the stand-ins accept unsigned requests, so a plain SOAP toolkit can call them.
    sandbox = await startSandbox({ certsDir: testPki().dir });
  });
  after(async () => {
    await sandbox.close();
  });

  it('MoJ: getSubjectByTin', async () => {
    const client = await soap.createClientAsync(path.join(WSDL_DIR, 'minjust-service.wsdl'), { endpoint: sandbox.minjustUrl });
    const d = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
    expect(Object.keys(d['minjust-service']['minjust-servicePort'])).to.deep.equal(['getSubjectByTin']);
    for (const h of xroadHeaders('central-server/GOV/70000024/minjust-service', 'getSubjectByTin')) client.addSoapHeader(h);
    const [result] = (await client.getSubjectByTinAsync({ tin: '01001202210023' })) as [Record<string, string>];
    expect(result).to.include({ tin: '01001202210023', statSubCode: '31296230', email1: 'info@dpa.gov.kg', chief: 'Кутнаева Нурия Асылбековна' });
  });

  it('BIS: getPersonByPin and getSignatureCertificates', async () => {
    const client = await soap.createClientAsync(path.join(WSDL_DIR, 'bis-service.wsdl'), { endpoint: sandbox.bisUrl });
    const d = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
    expect(Object.keys(d['bis-service']['bis-servicePort'])).to.deep.equal(['getPersonByPin', 'getSignatureCertificates']);
    for (const h of xroadHeaders('central-server/GOV/70000001/bis-service', 'getPersonByPin')) client.addSoapHeader(h);
    const [person] = (await client.getPersonByPinAsync({ pin: '21503199000017' })) as [Record<string, string>];
    expect(person).to.include({ surname: 'Асанов', name: 'Бакыт' });
    client.clearSoapHeaders();
    for (const h of xroadHeaders('central-server/GOV/70000001/bis-service', 'getSignatureCertificates')) client.addSoapHeader(h);
    const [certs] = (await client.getSignatureCertificatesAsync({ pin: '11208198500024' })) as [{ certificate: Array<Record<string, unknown>> }];
    expect(certs.certificate.map((c) => c.organisationInn).filter(Boolean)).to.deep.equal(['02203201810157', '01506199910038']);
  });
});
