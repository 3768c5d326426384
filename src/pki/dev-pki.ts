import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { certFileBase, identityFromPem } from './key-store.js';

export { certFileBase };

/**
 * Development PKI: a throw-away CA and one signing certificate per X-Road member the sandbox
 * needs. Subject CN = member code, O = member class, so the signature profile (CONTRACT §3)
 * can bind a certificate to the `xrd:client` it signs for. Never used in production
 * (`certs.generateDev` is false there).
 */
export interface DevMember {
  memberClass: string;
  memberCode: string;
  /** Human name, for the certificate's OU and the docs. */
  name: string;
}

export const DEV_MEMBERS: DevMember[] = [
  { memberClass: 'GOV', memberCode: '70000099', name: 'State Agency for Personal Data Protection' },
  { memberClass: 'GOV', memberCode: '70000098', name: 'E-governance infrastructure registry operator' },
  { memberClass: 'GOV', memberCode: '70000024', name: 'Ministry of Justice' },
  { memberClass: 'GOV', memberCode: '70000001', name: 'Unified Identification System (BIS)' },
  { memberClass: 'GOV', memberCode: '70000030', name: 'E-Kyzmat state portal' },
  { memberClass: 'GOV', memberCode: '70000050', name: 'Ministry of Economy (another ministry)' },
  { memberClass: 'GOV', memberCode: '70000060', name: 'State body keeping infrastructure elements' },
  { memberClass: 'GOV', memberCode: '70000070', name: 'Authorized body for e-governance' },
];


function toForgeKey(key: crypto.KeyObject): forge.pki.rsa.PrivateKey {
  return forge.pki.privateKeyFromPem(key.export({ type: 'pkcs8', format: 'pem' }).toString());
}

function serial(): string {
  // Positive, non-zero, 16 bytes.
  return '01' + crypto.randomBytes(15).toString('hex');
}

export interface IssuedCert {
  keyPem: string;
  certPem: string;
}

/** Makes a self-signed CA. */
export function makeCa(commonName: string, days = 3650): IssuedCert {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  const attrs = [
    { name: 'countryName', value: 'KG' },
    { name: 'organizationName', value: 'Tunduk development' },
    { name: 'commonName', value: commonName },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(toForgeKey(privateKey), forge.md.sha256.create());
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem: forge.pki.certificateToPem(cert) };
}

/** Issues a signing certificate for one member from a CA. Validity may be set in the past for tests. */
export function issueMemberCert(
  ca: IssuedCert,
  member: Pick<DevMember, 'memberClass' | 'memberCode'> & { name?: string },
  opts: { notBefore?: Date; notAfter?: Date } = {},
): IssuedCert {
  // RSA-2048: node-forge, which builds the certificate, cannot wrap EC keys (the ECDSA tests make theirs with openssl).
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = serial();
  cert.validity.notBefore = opts.notBefore ?? new Date(Date.now() - 60_000);
  cert.validity.notAfter = opts.notAfter ?? new Date(Date.now() + 825 * 86_400_000);
  const subject = [
    { name: 'countryName', value: 'KG' },
    { name: 'organizationName', value: member.memberClass },
    ...(member.name ? [{ name: 'organizationalUnitName', value: member.name }] : []),
    { name: 'commonName', value: member.memberCode },
  ];
  cert.setSubject(subject);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem: forge.pki.certificateToPem(cert) };
}

export interface DevPkiResult {
  created: boolean;
  dir: string;
  members: string[];
}

/**
 * Creates the development CA and member certificates in `dir` unless they are already there.
 * Extra member codes (from config: providers, client, consumers) get certificates too.
 */
export function ensureDevPki(dir: string, extraMembers: Array<Pick<DevMember, 'memberClass' | 'memberCode'>> = []): DevPkiResult {
  const members = new Map<string, DevMember>();
  for (const m of DEV_MEMBERS) members.set(m.memberCode, m);
  for (const m of extraMembers) if (!members.has(m.memberCode)) members.set(m.memberCode, { ...m, name: `Member ${m.memberCode}` });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caKeyFile = path.join(dir, 'ca.key');
  const caCertFile = path.join(dir, 'ca.crt');
  let created = false;
  let ca: IssuedCert;
  if (fs.existsSync(caKeyFile) && fs.existsSync(caCertFile)) {
    ca = { keyPem: fs.readFileSync(caKeyFile, 'utf8'), certPem: fs.readFileSync(caCertFile, 'utf8') };
    // Fails with a KeyFileError naming the file when either is unreadable or they do not match.
    identityFromPem('ca', ca.keyPem, ca.certPem, caKeyFile);
  } else {
    ca = makeCa('Tunduk development CA');
    writeAtomic(caKeyFile, ca.keyPem, 0o600);
    writeAtomic(caCertFile, ca.certPem, 0o644);
    created = true;
  }
  for (const m of members.values()) {
    const base = path.join(dir, certFileBase(m.memberCode));
    if (fs.existsSync(`${base}.key`) && fs.existsSync(`${base}.crt`)) continue;
    const issued = issueMemberCert(ca, m);
    writeAtomic(`${base}.key`, issued.keyPem, 0o600);
    writeAtomic(`${base}.crt`, issued.certPem, 0o644);
    created = true;
  }
  return { created, dir, members: [...members.keys()] };
}

function writeAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}
