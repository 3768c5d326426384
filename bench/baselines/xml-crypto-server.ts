/**
 * B1: the signed getHolder round trip built the obvious way, on xml-crypto's stock SignedXml —
 * the same request bytes, the same store and lookup, the same xrd:id claim and exchange-log
 * append as the adapter; only parsing (xmldom), signature verification and response signing differ.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import express from 'express';
import { SignedXml } from 'xml-crypto';
import { createExchangeLog } from '../../src/exchange-log/exchange-log.js';
import { silentLogger } from '../../src/log/logger.js';
import { appendExchange, exchangeRecord, type ExchangeBase } from '../../src/operations/invoke-operation.js';
import { objectShapeOf, encodeWrapper } from '../../src/xroad/schema-xml.js';
import { MessageIds } from '../../src/xroad/message-ids.js';
import { ALG, NS } from '../../src/xroad/namespaces.js';
import { reportStartError, serveBench } from '../lib/child.js';
import { baselineEnv } from './common.js';

const XRD = 'http://x-road.eu/xsd/xroad.xsd';

async function main(): Promise<void> {
  const env = await baselineEnv();
  const { config, store, keys, getHolder } = env;
  const provider = keys.identity('70000099');
  const providerKeyPem = provider.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const providerCertPem = provider.certificate.toString();
  const ca = new crypto.X509Certificate(keys.readPem('ca.crt'));
  const trusted = new Map<string, boolean>();
  const messageIds = new MessageIds(store, config.xroad.messageIds);
  const exchangeLog = createExchangeLog({ store, config, signer: provider, logger: silentLogger() });
  const log = silentLogger();
  const outputShape = objectShapeOf(getHolder.output, 'output');

  const sign = (xml: string): string => {
    const sig = new SignedXml({
      privateKey: providerKeyPem,
      publicCert: providerCertPem,
      signatureAlgorithm: ALG.rsaSha256,
      canonicalizationAlgorithm: ALG.excC14n,
      idMode: 'wssecurity',
      getKeyInfoContent: () => `<wsse:SecurityTokenReference><wsse:Reference URI="#X509-1" ValueType="${ALG.x509v3}"/></wsse:SecurityTokenReference>`,
    });
    for (const l of ['client', 'service', 'id', 'protocolVersion']) sig.addReference({ xpath: `/*/*[local-name()='Header']/*[local-name()='${l}']`, transforms: [ALG.excC14n], digestAlgorithm: ALG.sha256 });
    sig.addReference({ xpath: "/*/*[local-name()='Body']", transforms: [ALG.excC14n], digestAlgorithm: ALG.sha256 });
    sig.addReference({ xpath: "//*[local-name()='Security']/*[local-name()='Timestamp']", transforms: [ALG.excC14n], digestAlgorithm: ALG.sha256 });
    sig.computeSignature(xml, { prefix: 'ds', location: { reference: "//*[local-name()='Security']", action: 'append' } });
    return sig.getSignedXml();
  };

  const app = express();
  app.post('/xroad', express.raw({ type: () => true, limit: '10mb' }), async (req, res) => {
    const raw = req.body as Buffer;
    const text = raw.toString('utf8');
    const base: ExchangeBase = { transport: 'soap', requestInTs: Date.now(), client: '', service: '', serviceCode: 'getHolder', messageId: '', requestSize: raw.length, requestAttachmentCount: 0, requestBody: raw, requestId: crypto.randomUUID() };
    try {
      const doc = new DOMParser().parseFromString(text, 'text/xml');
      const token = doc.getElementsByTagNameNS(NS.wsse, 'BinarySecurityToken')[0];
      const certB64 = token?.textContent?.trim() ?? '';
      let ok = trusted.get(certB64);
      if (ok === undefined) {
        const cert = new crypto.X509Certificate(Buffer.from(certB64, 'base64'));
        ok = cert.checkIssued(ca) && cert.verify(ca.publicKey) && /CN=70000030/.test(cert.subject);
        trusted.set(certB64, ok);
      }
      if (!ok) throw new Error('untrusted signer');
      const verifier = new SignedXml({ publicCert: `-----BEGIN CERTIFICATE-----\n${certB64}\n-----END CERTIFICATE-----\n`, idMode: 'wssecurity' });
      verifier.loadSignature(doc.getElementsByTagNameNS(NS.ds, 'Signature')[0] as unknown as Parameters<typeof verifier.loadSignature>[0]);
      if (!verifier.checkSignature(text)) throw new Error('bad signature');
      const header = (local: string) => doc.getElementsByTagNameNS(XRD, local)[0];
      const part = (el: ReturnType<typeof header>, local: string) => el?.getElementsByTagNameNS('http://x-road.eu/xsd/identifiers', local)[0]?.textContent ?? '';
      const c = header('client');
      const client = ['xRoadInstance', 'memberClass', 'memberCode', 'subsystemCode'].map((l) => part(c, l)).join('/');
      const messageId = header('id')?.textContent ?? '';
      Object.assign(base, { client, service: 'central-server/GOV/70000099/pd-holders-registry/getHolder/v1', messageId });
      const inn = doc.getElementsByTagNameNS('urn:kg:dpa:holders-registry:v1', 'inn')[0]?.textContent ?? '';
      const claim = await messageIds.claim(`b1/${client}`, messageId, crypto.createHash('sha256').update(inn).digest('hex'));
      if (claim.kind !== 'new') throw new Error('replayed message id');
      const output = await env.lookup(inn, client, messageId);
      const ser = new XMLSerializer();
      const echoed = ['client', 'service', 'id', 'protocolVersion'].map((l) => ser.serializeToString(header(l) as unknown as Node));
      const now = new Date();
      const unsigned =
        `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}"><soapenv:Header>${echoed.join('')}` +
        `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}"><wsse:BinarySecurityToken EncodingType="${ALG.base64Binary}" ValueType="${ALG.x509v3}" wsu:Id="X509-1">${provider.certBase64}</wsse:BinarySecurityToken>` +
        `<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>${now.toISOString()}</wsu:Created><wsu:Expires>${new Date(now.getTime() + 300_000).toISOString()}</wsu:Expires></wsu:Timestamp></wsse:Security></soapenv:Header>` +
        `<soapenv:Body>${encodeWrapper('getHolderResponse', getHolder.namespace, output, outputShape)}</soapenv:Body></soapenv:Envelope>`;
      const body = Buffer.from(sign(unsigned));
      const rendered = { status: 200, contentType: 'text/xml; charset=utf-8', body };
      await messageIds.complete(`b1/${client}`, messageId, claim.token, rendered);
      await appendExchange(exchangeLog, exchangeRecord(base, rendered, [{ kind: 'inn', value: inn }]), false, log);
      res.status(200).type(rendered.contentType).send(body);
    } catch (e) {
      res.status(500).type('text/plain').send((e as Error).message);
    }
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serveBench((server.address() as AddressInfo).port);
}

main().catch(reportStartError);
