import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';
import * as soap from 'soap';
import { SignedXml } from 'xml-crypto';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { OperationTable } from '../../../src/operations/operation-table.js';
import { describedServiceGroups } from '../../../src/operations/service-groups.js';
import type { ServiceGroup } from '../../../src/operations/types.js';
import { LANGS } from '../../../src/i18n/messages.js';
import { NS } from '../../../src/xroad/namespaces.js';
import { objectShapeOf } from '../../../src/xroad/schema-xml.js';
import { BOUND_HEADERS, generateWsdl, xroadAddress } from '../../../src/xroad/wsdl.js';
import { attrNs, childElements, textOf } from '../../../src/xroad/xml/dom.js';
import { parseXml } from '../../../src/xroad/xml/parser.js';
import type { XmlElement } from '../../../src/xroad/xml/types.js';
import { loadConfig } from '../../../src/config/loader.js';
import { keys, parseResponse, PKI_DIR, PORTAL, PROVIDER, startServer, testConfig, verifyResponse, type TestServer } from './harness.js';

const WSDL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../wsdl');
const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const SOAP_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';
const XS = NS.xsd;

const withoutAddress = (wsdl: string): string => wsdl.replace(/<soap:address location="[^"]*"\/>/, '<soap:address location="*"/>');
const kids = (el: XmlElement, ns: string, local: string): XmlElement[] => childElements(el).filter((c) => c.ns === ns && c.local === local);
const one = (el: XmlElement, ns: string, local: string): XmlElement => {
  const found = kids(el, ns, local);
  expect(found, `<${local}> under <${el.name}>`).to.have.length(1);
  return found[0];
};

/** Checks a WSDL against the group: same operations, same wrapper and child element names, titles, version, header bindings. */
function assertMatchesGroup(wsdl: string, group: ServiceGroup): void {
  const defs = parseXml(wsdl);
  expect(defs.local).to.equal('definitions');
  expect(attrNs(defs, '', 'targetNamespace')).to.equal(group.namespace);
  const codes = group.operations.map((o) => o.serviceCode);
  const types = one(defs, WSDL_NS, 'types');
  const schema = kids(types, XS, 'schema').find((s) => attrNs(s, '', 'targetNamespace') === group.namespace) as XmlElement;
  const elements = kids(schema, XS, 'element');
  expect(elements.map((e) => attrNs(e, '', 'name'))).to.deep.equal(codes.flatMap((c) => [c, `${c}Response`]));
  for (const op of group.operations) {
    for (const [name, shape] of [
      [op.serviceCode, objectShapeOf(op.input, 'input')],
      [`${op.serviceCode}Response`, objectShapeOf(op.output, 'output')],
    ] as const) {
      const el = elements.find((e) => attrNs(e, '', 'name') === name) as XmlElement;
      const seq = childElements(one(el, XS, 'complexType'))[0];
      expect(childElements(seq).map((c) => attrNs(c, '', 'name')), name).to.deep.equal(shape.props.map((p) => p.name));
      childElements(seq).forEach((c, i) => expect(attrNs(c, '', 'minOccurs') === '0', `${name}.${shape.props[i].name} optional`).to.equal(!shape.props[i].required));
    }
  }
  const portType = one(defs, WSDL_NS, 'portType');
  const ptOps = kids(portType, WSDL_NS, 'operation');
  expect(ptOps.map((o) => attrNs(o, '', 'name'))).to.deep.equal(codes);
  for (const [i, o] of ptOps.entries()) {
    const titles = kids(one(o, WSDL_NS, 'documentation'), NS.xrd, 'title');
    expect(titles.map((t) => attrNs(t, NS.xml, 'lang'))).to.deep.equal([...LANGS]);
    expect(titles.map((t) => textOf(t))).to.deep.equal(LANGS.map((l) => group.operations[i].title[l]));
  }
  const binding = one(defs, WSDL_NS, 'binding');
  expect(attrNs(one(binding, SOAP_NS, 'binding'), '', 'style')).to.equal('document');
  const bOps = kids(binding, WSDL_NS, 'operation');
  expect(bOps.map((o) => attrNs(o, '', 'name'))).to.deep.equal(codes);
  for (const o of bOps) {
    expect(textOf(one(o, NS.xrd, 'version'))).to.equal('v1');
    for (const dir of ['input', 'output']) {
      const io = one(o, WSDL_NS, dir);
      expect(attrNs(one(io, SOAP_NS, 'body'), '', 'use')).to.equal('literal');
      expect(kids(io, SOAP_NS, 'header').map((h) => attrNs(h, '', 'part'))).to.deep.equal([...BOUND_HEADERS]);
    }
  }
  expect(wsdl).to.not.include('requestHash');
  expect(wsdl).to.not.include('schemaLocation');
}

describe('WSDL', () => {
  let store: TestStore;
  let srv: TestServer;
  const groups = describedServiceGroups();

  before(async () => {
    store = await freshStore('sqlite');
    const table = new OperationTable();
    for (const g of groups) table.register(g);
    srv = await startServer({ store, table });
  });
  after(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('committed files are what `npm run wsdl` generates, one per described group and no stale ones', () => {
    const cfg = loadConfig({ env: { NODE_ENV: 'development' } });
    for (const g of groups) {
      const committed = fs.readFileSync(path.join(WSDL_DIR, `${g.subsystem}.wsdl`), 'utf8');
      expect(committed, `${g.subsystem}.wsdl is stale: run npm run wsdl`).to.equal(generateWsdl(g, { address: xroadAddress(cfg.server.publicUrl) }));
    }
    const files = fs.readdirSync(WSDL_DIR).filter((f) => f.endsWith('.wsdl'));
    expect(files.sort()).to.deep.equal(groups.map((g) => `${g.subsystem}.wsdl`).sort());
  });

  it('served == generated == committed (modulo address), with the address from config', async () => {
    for (const g of groups) {
      if (!srv.config.xroad.providers[g.subsystem]) continue;
      const r = await fetch(`${srv.url}/wsdl/${g.subsystem}.wsdl`);
      expect(r.status).to.equal(200);
      expect(r.headers.get('content-type')).to.match(/^text\/xml/);
      const served = await r.text();
      expect(served).to.include(`<soap:address location="${xroadAddress(srv.config.server.publicUrl)}"/>`);
      expect(withoutAddress(served)).to.equal(withoutAddress(fs.readFileSync(path.join(WSDL_DIR, `${g.subsystem}.wsdl`), 'utf8')));
    }
  });

  it('matches the operation table exactly: operations, elements, titles in three languages, version, header bindings', () => {
    for (const g of groups) assertMatchesGroup(generateWsdl(g, { address: 'http://x/xroad' }), g);
  });

  it('is not served for unknown subsystems or names', async () => {
    for (const p of ['nope.wsdl', 'adapter-test', 'adapter-test.xsd', '..%2Fpackage.json']) {
      expect((await fetch(`${srv.url}/wsdl/${p}`)).status, p).to.equal(404);
    }
  });

  describe('node-soap interoperability', () => {
    it('node-soap reads every served WSDL and sees exactly the table\'s operations', async () => {
      for (const g of groups) {
        if (!srv.config.xroad.providers[g.subsystem]) continue;
        const client = await soap.createClientAsync(`${srv.url}/wsdl/${g.subsystem}.wsdl`);
        const described = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
        expect(Object.keys(described[g.subsystem][`${g.subsystem}Port`]), g.subsystem).to.deep.equal(g.operations.map((o) => o.serviceCode));
      }
    });

    it('consumes the served WSDL and calls ping, signed by WSSecurityCert over Body, Timestamp and the X-Road headers', async () => {
      const client = await soap.createClientAsync(`${srv.url}/wsdl/adapter-test.wsdl`, { endpoint: `${srv.url}/xroad` });
      expect(Object.keys(client.describe()['adapter-test']['adapter-testPort'])).to.deep.equal(['ping']);
      const xrd = `xmlns:xrd="${NS.xrd}" xmlns:id="${NS.id}"`;
      client.addSoapHeader(
        `<xrd:client ${xrd} id:objectType="SUBSYSTEM"><id:xRoadInstance>central-server</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>70000030</id:memberCode><id:subsystemCode>portal</id:subsystemCode></xrd:client>`,
      );
      client.addSoapHeader(
        `<xrd:service ${xrd} id:objectType="SERVICE"><id:xRoadInstance>central-server</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>70000099</id:memberCode><id:subsystemCode>adapter-test</id:subsystemCode><id:serviceCode>ping</id:serviceCode><id:serviceVersion>v1</id:serviceVersion></xrd:service>`,
      );
      client.addSoapHeader(`<xrd:id xmlns:xrd="${NS.xrd}">node-soap-${Date.now()}</xrd:id>`);
      client.addSoapHeader(`<xrd:protocolVersion xmlns:xrd="${NS.xrd}">4.0</xrd:protocolVersion>`);
      const keyPem = fs.readFileSync(path.join(PKI_DIR, 'member-70000030.key'), 'utf8');
      const certPem = fs.readFileSync(path.join(PKI_DIR, 'member-70000030.crt'), 'utf8');
      client.setSecurity(
        new soap.WSSecurityCert(keyPem, certPem, '', {
          hasTimeStamp: true,
          signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
          digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
          signatureTransformations: ['http://www.w3.org/2001/10/xml-exc-c14n#'],
          additionalReferences: ['xrd:client', 'xrd:service', 'xrd:id', 'xrd:protocolVersion'],
          signerOptions: { prefix: 'ds', attrs: {}, existingPrefixes: { wsse: NS.wsse, xrd: NS.xrd }, idMode: 'wssecurity' },
        }),
      );
      const [result, rawResponse] = (await client.pingAsync({ text: 'from node-soap' })) as [Record<string, unknown>, string];
      expect(result.text).to.equal('from node-soap');
      expect(result.client).to.equal(PORTAL);
      expect(result.transport).to.equal('soap');
      // The response verifies with the adapter's verifier and, independently, with xml-crypto.
      verifyResponse(rawResponse);
      const doc = new DOMParser().parseFromString(rawResponse, 'text/xml');
      const sigNode = doc.getElementsByTagNameNS(NS.ds, 'Signature')[0];
      const sig = new SignedXml({ publicCert: keys.identity('70000099').certificate.toString() });
      sig.loadSignature(sigNode as unknown as Node);
      expect(sig.checkSignature(rawResponse)).to.equal(true);
      expect(sig.getSignedReferences()).to.have.length(6);
      expect(parseResponse(rawResponse).headerNames).to.deep.equal(['xrd:client', 'xrd:service', 'xrd:id', 'xrd:protocolVersion']);
      expect(PROVIDER).to.include('adapter-test');
    });

    it('a node-soap request whose X-Road headers are not signed is refused', async () => {
      const client = await soap.createClientAsync(`${srv.url}/wsdl/adapter-test.wsdl`, { endpoint: `${srv.url}/xroad` });
      const xrd = `xmlns:xrd="${NS.xrd}" xmlns:id="${NS.id}"`;
      client.addSoapHeader(
        `<xrd:client ${xrd} id:objectType="SUBSYSTEM"><id:xRoadInstance>central-server</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>70000030</id:memberCode><id:subsystemCode>portal</id:subsystemCode></xrd:client>`,
      );
      client.addSoapHeader(
        `<xrd:service ${xrd} id:objectType="SERVICE"><id:xRoadInstance>central-server</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>70000099</id:memberCode><id:subsystemCode>adapter-test</id:subsystemCode><id:serviceCode>ping</id:serviceCode><id:serviceVersion>v1</id:serviceVersion></xrd:service>`,
      );
      client.addSoapHeader(`<xrd:id xmlns:xrd="${NS.xrd}">node-soap-unsigned-${Date.now()}</xrd:id>`);
      client.addSoapHeader(`<xrd:protocolVersion xmlns:xrd="${NS.xrd}">4.0</xrd:protocolVersion>`);
      const keyPem = fs.readFileSync(path.join(PKI_DIR, 'member-70000030.key'), 'utf8');
      const certPem = fs.readFileSync(path.join(PKI_DIR, 'member-70000030.crt'), 'utf8');
      client.setSecurity(
        new soap.WSSecurityCert(keyPem, certPem, '', {
          signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
          signatureTransformations: ['http://www.w3.org/2001/10/xml-exc-c14n#'],
          signerOptions: { prefix: 'ds', attrs: {}, existingPrefixes: { wsse: NS.wsse }, idMode: 'wssecurity' },
        }),
      );
      let fault: { root?: { Envelope?: { Body?: { Fault?: { faultcode?: string } } } } } | undefined;
      try {
        await client.pingAsync({ text: 'unsigned headers' });
      } catch (e) {
        fault = e as typeof fault;
      }
      expect(fault?.root?.Envelope?.Body?.Fault?.faultcode).to.equal('Client.InvalidSignature');
    });
  });

  it('test config can name the provider the WSDL describes', () => {
    expect(testConfig().xroad.providers['adapter-test']).to.equal(PROVIDER);
  });
});
