import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { expect } from 'chai';
import express from 'express';
import forge from 'node-forge';
import type { AppError } from '../../../src/errors/app-error.js';
import { MINJUST_NS } from '../../../src/consumers/minjust/minjust-mapping.js';
import { FaultControl } from '../../../fixtures/sandbox/fault-control.js';
import { MINJUST_OPERATIONS } from '../../../fixtures/sandbox/sandbox-operations.js';
import { createStandInRouter } from '../../../fixtures/sandbox/soap-stand-in.js';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { rejection } from '../../unit/consumers/helpers.js';
import { makeConsumers, testConfig, testPki } from './consumers-fixture.js';

/** A TLS server certificate for 127.0.0.1 (IP subjectAltName) from the development CA. */
function serverCert(dir: string): { key: string; cert: string } {
  const caKey = forge.pki.privateKeyFromPem(fs.readFileSync(path.join(dir, 'ca.key'), 'utf8'));
  const caCert = forge.pki.certificateFromPem(fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8'));
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01' + crypto.randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'security-server.test' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: forge.pki.certificateToPem(cert) };
}

describe('consumers/X-Road client over HTTPS with a client certificate', () => {
  const ctx = {} as { store: TestStore };
  let server: https.Server;
  let url: string;
  const clientSubjects: string[] = [];

  before(async () => {
    ctx.store = await freshStore('sqlite');
    const { dir, keys, trust } = testPki();
    const app = express();
    app.use((req, _res, next) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      clientSubjects.push(String(peer?.subject?.CN ?? ''));
      next();
    });
    app.use(createStandInRouter({ provider: 'central-server/GOV/70000024/minjust-service', ns: MINJUST_NS, identity: keys.identity('70000024'), otherIdentity: keys.identity('70000050'), trust, faults: new FaultControl(), operations: MINJUST_OPERATIONS }));
    // The security server demands a client certificate from the development CA.
    server = https.createServer({ ...serverCert(dir), ca: fs.readFileSync(path.join(dir, 'ca.crt')), requestCert: true, rejectUnauthorized: true }, app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ctx.store.dispose();
  });

  it('presents the configured client certificate and trusts the configured CA', async () => {
    const config = testConfig({ minjust: { url, tls: { certFile: 'member-70000099.crt', keyFile: 'member-70000099.key', caFile: 'ca.crt' } } });
    const fx = makeConsumers({ config, store: ctx.store, urls: { minjustUrl: url, bisUrl: url } });
    try {
      const r = await fx.consumers.minjust.getSubjectByTin('01001202210023');
      expect(r.data.okpo).to.equal('31296230');
      expect(clientSubjects.at(-1)).to.equal('70000099');
    } finally {
      fx.consumers.close();
    }
  });

  it('without the TLS settings (no client certificate, no CA) the handshake fails: UPSTREAM_UNAVAILABLE', async () => {
    const config = testConfig({ minjust: { url, retries: 0, tls: undefined } });
    const fx = makeConsumers({ config, store: ctx.store, urls: { minjustUrl: url, bisUrl: url } });
    try {
      expect((await rejection<AppError>(fx.consumers.minjust.getSubjectByTin('02203201810157'))).code).to.equal('UPSTREAM_UNAVAILABLE');
    } finally {
      fx.consumers.close();
    }
  });
});
