import crypto from 'node:crypto';

/**
 * B4, the crypto floor: what one signed round trip costs in RSA-2048 alone with node:crypto
 * KeyObjects — the server verifies one request signature and makes one response signature,
 * plus the SHA-256 digests of a typical message's signed parts.
 */
export function cryptoFloor(seconds: number): { perMessageUs: number; messages: number } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signedInfo = Buffer.from('<ds:SignedInfo>'.padEnd(900, 'x') + '</ds:SignedInfo>');
  const parts = Array.from({ length: 6 }, (_, i) => Buffer.from(`<part${i}>`.padEnd(300, 'y')));
  const requestSig = crypto.sign('sha256', signedInfo, privateKey);
  const until = performance.now() + seconds * 1000;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < until) {
    for (const p of parts) crypto.createHash('sha256').update(p).digest();
    if (!crypto.verify('sha256', signedInfo, publicKey, requestSig)) throw new Error('verify failed');
    for (const p of parts) crypto.createHash('sha256').update(p).digest();
    crypto.sign('sha256', signedInfo, privateKey);
    n += 1;
  }
  const elapsed = performance.now() - t0;
  return { perMessageUs: (elapsed * 1000) / n, messages: n };
}
