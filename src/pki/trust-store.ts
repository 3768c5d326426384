import crypto from 'node:crypto';

/** Why a certificate was not accepted; stable reasons for logs and tests. */
export type TrustFailure = 'UNPARSEABLE' | 'NOT_YET_VALID' | 'EXPIRED' | 'UNTRUSTED_ISSUER' | 'NOT_BOUND_TO_CLIENT' | 'CA_CERTIFICATE';

export class TrustError extends Error {
  constructor(
    readonly reason: TrustFailure,
    message: string,
  ) {
    super(message);
    this.name = 'TrustError';
  }
}

export interface MemberRef {
  memberClass: string;
  memberCode: string;
}

/** Reads one attribute (e.g. CN) from a subject string as Node prints it ("C=KG\nO=GOV\nCN=70000024"). */
export function subjectAttr(subject: string, attr: string): string[] {
  return subject
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(`${attr}=`))
    .map((l) => l.slice(attr.length + 1));
}

/**
 * Decides whether a signing certificate may speak for a member (CONTRACT §3): it is pinned for
 * that client, or issued by a configured CA — and in both cases currently valid and naming the
 * member (CN = member code; O, when present, = member class). The certificate a message carries
 * is only a candidate: trust comes from here, never from the message.
 */
export class TrustStore {
  private readonly cas: crypto.X509Certificate[];
  /** Pinned certificates by client key (instance/class/code[/subsystem]) → DER fingerprints. */
  private readonly pinned: Map<string, Set<string>>;
  private readonly verifiedCache = new Map<string, boolean>();

  constructor(caPems: string[], pinned: Record<string, string[]> = {}) {
    this.cas = caPems.map((pem) => new crypto.X509Certificate(pem));
    this.pinned = new Map(Object.entries(pinned).map(([k, pems]) => [k, new Set(pems.map((p) => new crypto.X509Certificate(p).fingerprint256))]));
  }

  /** Parses a base64 DER certificate, as carried in wsse:BinarySecurityToken. */
  static parse(base64Der: string): crypto.X509Certificate {
    try {
      return new crypto.X509Certificate(Buffer.from(base64Der, 'base64'));
    } catch {
      throw new TrustError('UNPARSEABLE', 'the security token is not an X.509 certificate');
    }
  }

  /**
   * Throws TrustError unless `cert` may sign for `member` at `now`.
   * @param clientKeys client keys under which a pinned certificate may be found (subsystem and member level).
   */
  assertTrusted(cert: crypto.X509Certificate, member: MemberRef, now: Date, clientKeys: string[] = []): void {
    const t = now.getTime();
    if (Date.parse(cert.validFrom) > t) throw new TrustError('NOT_YET_VALID', 'the signing certificate is not yet valid');
    if (Date.parse(cert.validTo) < t) throw new TrustError('EXPIRED', 'the signing certificate has expired');
    if (cert.ca) throw new TrustError('CA_CERTIFICATE', 'a CA certificate cannot sign messages');
    const pinnedHit = clientKeys.some((k) => this.pinned.get(k)?.has(cert.fingerprint256));
    if (!pinnedHit && !this.issuedByTrustedCa(cert, t)) throw new TrustError('UNTRUSTED_ISSUER', 'the signing certificate is not issued by a trusted CA nor pinned for this client');
    const cns = subjectAttr(cert.subject, 'CN');
    const os = subjectAttr(cert.subject, 'O');
    if (cns.length !== 1 || cns[0] !== member.memberCode || (os.length > 0 && !os.includes(member.memberClass))) {
      throw new TrustError('NOT_BOUND_TO_CLIENT', `the signing certificate does not belong to member ${member.memberClass}/${member.memberCode}`);
    }
  }

  private issuedByTrustedCa(cert: crypto.X509Certificate, t: number): boolean {
    const key = cert.fingerprint256;
    const cached = this.verifiedCache.get(key);
    if (cached !== undefined) return cached;
    const ok = this.cas.some(
      (ca) => Date.parse(ca.validFrom) <= t && Date.parse(ca.validTo) >= t && cert.checkIssued(ca) && cert.verify(ca.publicKey),
    );
    if (this.verifiedCache.size > 10_000) this.verifiedCache.clear();
    this.verifiedCache.set(key, ok);
    return ok;
  }
}
