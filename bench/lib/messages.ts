import crypto from 'node:crypto';
import type { z } from 'zod';
import type { XRoadIdentifier } from '../../src/operations/types.js';
import type { KeyStore } from '../../src/pki/key-store.js';
import type { TrustStore } from '../../src/pki/trust-store.js';
import { HOLDERS_NAMESPACE } from '../../src/registries/holders/holders-operations.js';
import { innOnlyInput } from '../../src/registries/holders/holders-schemas.js';
import { buildSignedEnvelope, parseEnvelope, verifyEnvelope } from '../../src/xroad/envelope.js';
import { buildXRoadHeaders } from '../../src/xroad/headers.js';
import { encodeWrapper, objectShapeOf } from '../../src/xroad/schema-xml.js';
import type { BenchRequest } from './load.js';

/** The bench client: the E-Kyzmat portal (dev member 70000030), allowed every holder operation by the default ACL. */
export const BENCH_CLIENT = 'central-server/GOV/70000030/e-kyzmat-portal';
export const BENCH_CLIENT_MEMBER = '70000030';
export const HOLDERS_PROVIDER = 'central-server/GOV/70000099/pd-holders-registry';

const ident = (key: string, objectType: XRoadIdentifier['objectType'], serviceCode?: string): XRoadIdentifier => {
  const [xRoadInstance, memberClass, memberCode, subsystemCode] = key.split('/');
  return { objectType, xRoadInstance, memberClass, memberCode, subsystemCode, ...(serviceCode ? { serviceCode, serviceVersion: 'v1' } : {}) };
};

let seq = 0;
/** A message id no other request of this run (or an earlier run on the same store) carries. */
export const uniqueId = (): string => `bench-${process.pid}-${Date.now().toString(36)}-${(++seq).toString(36)}-${crypto.randomBytes(3).toString('hex')}`;

/** A holders operation as the portal's security server sends it: signed with the 70000030 dev key. */
export function signedHoldersRequest(keys: KeyStore, o: { serviceCode: string; schema: z.ZodType; value: unknown; userId?: string; id?: string }): string {
  const headers = buildXRoadHeaders({
    client: ident(BENCH_CLIENT, 'SUBSYSTEM'),
    service: ident(HOLDERS_PROVIDER, 'SERVICE', o.serviceCode),
    id: o.id ?? uniqueId(),
    protocolVersion: '4.0',
    ...(o.userId ? { userId: o.userId } : {}),
  });
  const bodyXml = encodeWrapper(o.serviceCode, HOLDERS_NAMESPACE, o.value, objectShapeOf(o.schema, 'input'), 'h');
  return buildSignedEnvelope({ headers, bodyXml, identity: keys.identity(BENCH_CLIENT_MEMBER), now: new Date(), ttlSeconds: 600 });
}

export const getHolderRequest = (keys: KeyStore, inn: string): string => signedHoldersRequest(keys, { serviceCode: 'getHolder', schema: innOnlyInput, value: { inn } });

export const soapPost = (xml: string | Buffer, path = '/xroad'): BenchRequest => ({
  path,
  method: 'POST',
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body: Buffer.isBuffer(xml) ? xml : Buffer.from(xml),
});

/**
 * Signed requests made ahead of the measured window, so the load generator's RSA work does not
 * compete with the server for the two cores; when the pool runs dry, it signs on demand.
 */
export class RequestPool {
  private readonly items: Buffer[] = [];
  private next = 0;
  signedOnDemand = 0;

  constructor(private readonly make: (i: number) => string) {}

  fill(n: number): this {
    for (let i = 0; i < n; i++) this.items.push(Buffer.from(this.make(this.items.length)));
    return this;
  }

  take(): Buffer {
    if (this.next < this.items.length) {
      const b = this.items[this.next];
      this.items[this.next++] = Buffer.alloc(0);
      return b;
    }
    this.signedOnDemand += 1;
    return Buffer.from(this.make(this.next++));
  }

  get remaining(): number {
    return this.items.length - this.next;
  }
}

/** A successful, signed SOAP answer whose signature the provider's certificate made. */
export function responseChecker(trust: TrustStore): { ok: (status: number, body: Buffer) => boolean; verify: (body: Buffer) => string | undefined } {
  const verify = (body: Buffer): string | undefined => {
    try {
      const text = body.toString('utf8');
      if (/<[A-Za-z0-9]*:?Fault[\s>]/.test(text)) return 'fault';
      verifyEnvelope(parseEnvelope(text), { trust, now: new Date(), maxAgeSeconds: 600, futureSkewSeconds: 60, signerRole: 'service' });
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  };
  return { ok: (status, body) => status === 200 && body.length > 0, verify };
}
