import fs from 'node:fs';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { startOps, TOKENS, type OpsServer } from '../../integration/exchange-log/ops-context.js';
import { createConsoleRouter } from '../../../src/console/console-router.js';
import { sampleRecord, soapEnvelope } from '../../../fixtures/exchange-log/sample-records.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A body written to attack the console: scripts, event handlers, markup in text. */
const HOSTILE = soapEnvelope('hostile-1', '<x><script>window.__pwned=1</script><img src="x" onerror="window.__pwned=2"/>&lt;b&gt;bold?&lt;/b&gt;<y>plain text</y></x>');

describe('operator console in headless Chromium', function () {
  this.timeout(90_000);
  let store: TestStore;
  let ops: OpsServer;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is absent. Install Debian's chromium (apt-get install -y chromium); .ci/run does.`);
      this.skip();
    }
    store = await freshStore('sqlite');
    ops = await startOps(store, [{ path: '/console', router: createConsoleRouter() }]);
    const now = Date.now();
    for (let i = 0; i < 30; i++) await ops.log.append(sampleRecord(i, { baseTs: now - 3_600_000 }));
    await ops.log.append({
      ...sampleRecord(30, { baseTs: now - 3_600_000 }),
      messageId: 'hostile-1',
      serviceCode: '<img src=x onerror=window.__pwned=3>',
      faultString: '<script>window.__pwned=4</script>',
      requestBody: HOSTILE,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  });

  after(async () => {
    await browser?.close();
    await ops?.close();
    await store?.dispose();
  });

  async function newPage(): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) pageErrors.push(m.text());
    });
    await page.goto(`${ops.url}/console/`);
    return page;
  }

  async function signIn(page: Page, token: string): Promise<void> {
    await page.fill('[data-testid=token]', token);
    await page.click('[data-testid=signin]');
  }

  it('serves the console under a strict CSP with no inline script', async () => {
    const res = await fetch(`${ops.url}/console/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).to.include("script-src 'self'").and.include("default-src 'none'");
    expect(csp).to.not.include('unsafe-inline');
    const html = await res.text();
    expect(html).to.not.match(/<script(?![^>]*\ssrc=)[^>]*>/);
  });

  it('signs in, filters, opens an exchange and shows its body as inert pretty-printed text', async () => {
    const page = await newPage();
    await signIn(page, 'wrong-token-wrong-token');
    await page.waitForSelector('[data-testid=error]:not([hidden])');
    await signIn(page, TOKENS.operator);
    await page.waitForSelector('[data-testid=whoami]:has-text("alice-operator")');
    await page.waitForSelector('tr[data-seq="31"]');
    expect(await page.locator('#rows tr').count()).to.equal(31);

    await page.fill('[data-testid=f-serviceCode]', 'getHolder');
    await page.selectOption('[data-testid=f-status]', 'fault');
    await page.click('[data-testid=search]');
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length > 0 && Array.from(document.querySelectorAll('#rows tr td:nth-child(5)')).every((td) => td.textContent === 'getHolder'));
    const expected = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 4 === 1 && i % 7 === 3).map((i) => String(i + 1)).reverse();
    expect(await page.locator('#rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-seq')))).to.deep.equal(expected);

    await page.fill('[data-testid=f-serviceCode]', '');
    await page.selectOption('[data-testid=f-status]', '');
    await page.fill('[data-testid=f-messageId]', 'hostile-1');
    await page.click('[data-testid=search]');
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 1);
    expect(await page.locator('#rows tr td:nth-child(5)').textContent()).to.equal('<img src=x onerror=window.__pwned=3>');
    await page.click('[data-testid=open-31]');
    await page.waitForSelector('[data-testid=detail]:not([hidden])');
    expect(await page.locator('[data-field=messageId]').textContent()).to.equal('hostile-1');
    expect(await page.locator('[data-field=faultString]').textContent()).to.equal('<script>window.__pwned=4</script>');

    await page.fill('[data-testid=why]', 'browser test');
    await page.click('[data-testid=show-request]');
    await page.waitForSelector('[data-testid=body]:not([hidden])');
    const shown = (await page.locator('[data-testid=body]').textContent()) ?? '';
    expect(shown).to.include('<script>window.__pwned=1</script>');
    expect(shown).to.include('\n      <y>plain text</y>');
    expect(await page.locator('[data-testid=body] *').count()).to.equal(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).to.equal(undefined);
    const reads = await ops.log.bodyReads({ seq: 31 });
    expect(reads.items[0]).to.include({ operator: 'alice-operator', part: 'request', why: 'browser test' });
    expect(pageErrors).to.deep.equal([]);
    await page.close();
  });

  it('switches the interface language between Kyrgyz, Russian and English', async () => {
    const page = await newPage();
    await signIn(page, TOKENS.auditor);
    await page.waitForSelector('tr[data-seq="1"]');
    const label = () => page.locator('[data-testid=tab-exchanges]').textContent();
    await page.selectOption('[data-testid=lang]', 'en');
    expect(await label()).to.equal('Exchanges');
    await page.selectOption('[data-testid=lang]', 'ru');
    expect(await label()).to.equal('Обмены');
    await page.selectOption('[data-testid=lang]', 'ky');
    expect(await label()).to.equal('Алмашуулар');
    expect(await page.evaluate(() => document.documentElement.lang)).to.equal('ky');
    await page.close();
  });

  it('shows integrity and the per-service chart; an auditor cannot read bodies', async () => {
    const page = await newPage();
    await page.selectOption('[data-testid=lang]', 'en');
    await signIn(page, TOKENS.auditor);
    await page.waitForSelector('tr[data-seq="1"]');
    await page.click('[data-testid=tab-integrity]');
    await page.click('[data-testid=check]');
    await page.waitForSelector('[data-testid=integrity-status].ok');
    expect(await page.locator('[data-testid=integrity-status]').textContent()).to.equal('Chain intact: records 1–31');
    await page.click('[data-testid=tab-stats]');
    await page.waitForSelector('[data-testid=stats-svg]');
    expect(await page.locator('[data-testid=stats-svg] rect.bar-ok').count()).to.equal(5);
    await page.click('[data-testid=tab-exchanges]');
    await page.click('[data-testid=open-2]');
    await page.waitForSelector('[data-testid=bodies-denied]:not([hidden])');
    expect(await page.locator('[data-testid=show-request]').isVisible()).to.equal(false);
    expect(pageErrors).to.deep.equal([]);
    await page.close();
  });
});
