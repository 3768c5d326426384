import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** File base name of a member's key and certificate in the certs folder. */
export const certFileBase = (memberCode: string): string => `member-${memberCode}`;

/** A signing identity: the key parsed once into a KeyObject and its certificate, ready for every message. */
export interface SigningIdentity {
  memberCode: string;
  privateKey: crypto.KeyObject;
  certificate: crypto.X509Certificate;
  /** Base64 DER, as put into wsse:BinarySecurityToken. */
  certBase64: string;
  /** 'rsa' or 'ec', picks RSA-SHA256 or ECDSA-SHA256. */
  keyType: 'rsa' | 'ec';
}

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new KeyFileError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Builds an identity from PEM text, checking that key and certificate belong together. */
export function identityFromPem(memberCode: string, keyPem: string, certPem: string, source = memberCode): SigningIdentity {
  let privateKey: crypto.KeyObject;
  let certificate: crypto.X509Certificate;
  try {
    privateKey = crypto.createPrivateKey(keyPem);
  } catch (e) {
    throw new KeyFileError(`${source}: private key is not a readable PEM key (${(e as Error).message})`);
  }
  try {
    certificate = new crypto.X509Certificate(certPem);
  } catch (e) {
    throw new KeyFileError(`${source}: certificate is not a readable PEM certificate (${(e as Error).message})`);
  }
  if (!certificate.checkPrivateKey(privateKey)) throw new KeyFileError(`${source}: private key does not match the certificate`);
  const keyType = privateKey.asymmetricKeyType === 'ec' ? 'ec' : 'rsa';
  return { memberCode, privateKey, certificate, certBase64: certificate.raw.toString('base64'), keyType };
}

/** Loads `member-<code>.key/.crt` from the certs folder, once. */
export class KeyStore {
  private readonly cache = new Map<string, SigningIdentity>();

  constructor(private readonly dir: string) {}

  identity(memberCode: string): SigningIdentity {
    let id = this.cache.get(memberCode);
    if (!id) {
      const base = path.join(this.dir, certFileBase(memberCode));
      id = identityFromPem(memberCode, read(`${base}.key`), read(`${base}.crt`), base);
      this.cache.set(memberCode, id);
    }
    return id;
  }

  /** Reads a PEM file (CA, pinned certificate) from the certs folder. */
  readPem(name: string): string {
    return read(path.isAbsolute(name) ? name : path.join(this.dir, name));
  }
}
