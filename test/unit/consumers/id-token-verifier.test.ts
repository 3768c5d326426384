import { expect } from 'chai';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK, type CryptoKey } from 'jose';
import type { AppError } from '../../../src/errors/app-error.js';
import { createIdTokenVerifier } from '../../../src/consumers/bis/id-token-verifier.js';
import { rejection } from './helpers.js';

const ISSUER = 'https://bis.example.kg';
const AUDIENCE = 'registry-web-ui';
const PIN = '21503199000017';

describe('consumers/id-token verifier', () => {
  let key: CryptoKey;
  let otherKey: CryptoKey;
  let jwk: JWK;

  before(async () => {
    const pair = await generateKeyPair('RS256');
    ({ privateKey: otherKey } = await generateKeyPair('RS256'));
    key = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  });

  const verifier = (skew = 60) =>
    createIdTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'https://unused.invalid/jwks', clockSkewSeconds: skew, keys: createLocalJWKSet({ keys: [jwk] }) });

  const token = (claims: Record<string, unknown> = {}, opts: { key?: CryptoKey; alg?: string; exp?: number | string; iss?: string; aud?: string } = {}) =>
    new SignJWT({ pin: PIN, ...claims })
      .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: 'k1' })
      .setIssuer(opts.iss ?? ISSUER)
      .setAudience(opts.aud ?? AUDIENCE)
      .setSubject(PIN)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m')
      .sign(opts.key ?? key);

  const refused = async (t: string | Promise<string>): Promise<AppError> => rejection<AppError>(verifier().verify(await t));

  it('accepts a good token and takes the PIN from it', async () => {
    const r = await verifier().verify(await token());
    expect(r.pin).to.equal(PIN);
    expect(r.claims.iss).to.equal(ISSUER);
  });

  it('takes the PIN from sub when there is no pin claim', async () => {
    const t = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject(PIN).setIssuedAt().setExpirationTime('5m').sign(key);
    expect((await verifier().verify(t)).pin).to.equal(PIN);
  });

  for (const [title, make] of [
    ['a wrong issuer', () => token({}, { iss: 'https://evil.example' })],
    ['a wrong audience', () => token({}, { aud: 'someone-else' })],
    ['an expired token (beyond the skew)', () => token({}, { exp: Math.floor(Date.now() / 1000) - 120 })],
    ['a signature by another key', () => token({}, { key: otherKey })],
    ['a PIN claim that is not a PIN', () => token({ pin: '12345' })],
  ] as const) {
    it(`refuses ${title} with UNAUTHENTICATED`, async () => {
      expect((await refused(make())).code).to.equal('UNAUTHENTICATED');
    });
  }

  it('tolerates expiry within the clock skew', async () => {
    const t = await token({}, { exp: Math.floor(Date.now() / 1000) - 30 });
    expect((await verifier(60).verify(t)).pin).to.equal(PIN);
    expect((await rejection<AppError>(verifier(0).verify(t))).code).to.equal('UNAUTHENTICATED');
  });

  it('refuses alg "none", HMAC, a tampered payload and garbage', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: ISSUER, aud: AUDIENCE, sub: PIN, pin: PIN, iat: now, exp: now + 300 };
    const none = `${b64({ alg: 'none' })}.${b64(claims)}.`;
    expect((await refused(none)).code).to.equal('UNAUTHENTICATED');
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new TextEncoder().encode('a-shared-secret-of-enough-length!!'));
    expect((await refused(hs)).code).to.equal('UNAUTHENTICATED');
    const good = await token();
    const [h, , s] = good.split('.');
    const tampered = `${h}.${b64({ ...claims, pin: '11203198500021', sub: '11203198500021' })}.${s}`;
    expect((await refused(tampered)).code).to.equal('UNAUTHENTICATED');
    for (const junk of ['', 'abc', 'a.b.c', 'x'.repeat(20_000)]) expect((await refused(junk)).code).to.equal('UNAUTHENTICATED');
  });
});
