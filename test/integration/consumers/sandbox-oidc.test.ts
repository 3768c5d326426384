import crypto from 'node:crypto';
import { expect } from 'chai';
import type { AppError } from '../../../src/errors/app-error.js';
import { createIdTokenVerifier } from '../../../src/consumers/bis/id-token-verifier.js';
import { startSandbox, type Sandbox } from '../../../fixtures/sandbox/start-sandbox.js';
import { rejection } from '../../unit/consumers/helpers.js';
import { testPki } from './consumers-fixture.js';

const PIN = '21503199000017';
const CLIENT = 'registry-web-ui';
const REDIRECT = 'http://127.0.0.1:9/callback';

describe('sandbox BIS as OpenID Connect provider', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox({ certsDir: testPki().dir });
  });
  after(async () => {
    await sandbox.close();
  });

  const verifier = () => createIdTokenVerifier({ issuer: sandbox.issuer, audience: CLIENT, jwksUrl: sandbox.jwksUrl, clockSkewSeconds: 30 });

  /** Runs authorize (auto-approved for the PIN) and returns the redirect's query. */
  async function authorize(params: Record<string, string>): Promise<URLSearchParams> {
    const q = new URLSearchParams({ response_type: 'code', client_id: CLIENT, redirect_uri: REDIRECT, scope: 'openid', state: 'st-1', nonce: 'n-1', ...params });
    const res = await fetch(`${sandbox.issuer}/connect/authorize?${q}`, { redirect: 'manual' });
    expect(res.status).to.equal(302);
    const loc = new URL(res.headers.get('location') as string);
    expect(`${loc.origin}${loc.pathname}`).to.equal(REDIRECT);
    return loc.searchParams;
  }

  const token = (form: Record<string, string>) =>
    fetch(`${sandbox.issuer}/connect/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });

  it('publishes discovery and a JWKS', async () => {
    const conf = (await (await fetch(`${sandbox.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(conf).to.deep.include({ issuer: sandbox.issuer, jwks_uri: sandbox.jwksUrl, authorization_endpoint: `${sandbox.issuer}/connect/authorize`, token_endpoint: `${sandbox.issuer}/connect/token` });
    const jwks = (await (await fetch(sandbox.jwksUrl)).json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys).to.have.length(1);
    expect(jwks.keys[0]).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]).to.not.have.property('d');
  });

  it('code flow with PKCE: authorize → token → an ID token the adapter accepts, PIN and nonce inside', async () => {
    const verifierStr = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifierStr).digest('base64url');
    const q = await authorize({ login_hint: PIN, code_challenge: challenge, code_challenge_method: 'S256' });
    expect(q.get('state')).to.equal('st-1');
    const code = q.get('code') as string;
    const res = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: verifierStr });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { id_token: string; token_type: string };
    expect(body.token_type).to.equal('Bearer');
    const v = await verifier().verify(body.id_token);
    expect(v.pin).to.equal(PIN);
    expect(v.claims).to.include({ nonce: 'n-1', aud: CLIENT, iss: sandbox.issuer, family_name: 'Асанов' });
    // A code works once.
    expect((await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: verifierStr })).status).to.equal(400);
  });

  it('refuses a wrong PKCE verifier, another redirect URI, another client', async () => {
    const challenge = crypto.createHash('sha256').update('right').digest('base64url');
    for (const wrong of [{ code_verifier: 'wrong' }, { redirect_uri: 'http://127.0.0.1:9/other' }, { client_id: 'someone-else' }]) {
      const code = (await authorize({ login_hint: PIN, code_challenge: challenge, code_challenge_method: 'S256' })).get('code') as string;
      const res = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: 'right', ...wrong });
      expect(res.status, JSON.stringify(wrong)).to.equal(400);
      expect(((await res.json()) as { error: string }).error).to.equal('invalid_grant');
    }
  });

  it('shows a sign-in page without a PIN, and refuses an unknown one', async () => {
    const q = new URLSearchParams({ response_type: 'code', client_id: CLIENT, redirect_uri: REDIRECT, scope: 'openid' });
    const page = await fetch(`${sandbox.issuer}/connect/authorize?${q}`);
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html).to.include('name="pin"').and.include(PIN).and.include('name="redirect_uri"');
    expect((await authorize({ login_hint: '21503199000099' })).get('error')).to.equal('access_denied');
  });

  it('the adapter refuses a sandbox token for another audience, or one that has expired', async () => {
    const other = await sandbox.mintIdToken({ pin: PIN, audience: 'another-client' });
    expect((await rejection<AppError>(verifier().verify(other))).code).to.equal('UNAUTHENTICATED');
    const old = await sandbox.mintIdToken({ pin: PIN, audience: CLIENT, issuedAt: new Date(Date.now() - 3600_000), ttlSeconds: 300 });
    expect((await rejection<AppError>(verifier().verify(old))).code).to.equal('UNAUTHENTICATED');
  });

  it('BIS unreachable for the JWKS: UPSTREAM_UNAVAILABLE, not a verdict on the token', async () => {
    const t = await sandbox.mintIdToken({ pin: PIN, audience: CLIENT });
    const v = createIdTokenVerifier({ issuer: sandbox.issuer, audience: CLIENT, jwksUrl: 'http://127.0.0.1:9/.well-known/jwks.json', clockSkewSeconds: 30, jwksTimeoutMs: 500 });
    expect((await rejection<AppError>(v.verify(t))).code).to.equal('UPSTREAM_UNAVAILABLE');
  });
});
