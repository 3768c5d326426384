import crypto from 'node:crypto';
import fs from 'node:fs';

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

/**
 * What one system call costs on this machine (an `fstat` of an open descriptor, the cheapest there
 * is): HTTP on loopback and SQLite's writes are many system calls per request, so machines that
 * differ here differ in A, B2 and B3 far more than in B4.
 */
export function syscallCostUs(calls = 20_000): number {
  const fd = fs.openSync(process.execPath, 'r');
  try {
    for (let i = 0; i < 1000; i++) fs.fstatSync(fd);
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fs.fstatSync(fd);
    return ((performance.now() - t0) * 1000) / calls;
  } finally {
    fs.closeSync(fd);
  }
}
