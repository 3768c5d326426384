import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { CONSOLE_ASSETS } from '../../../src/console/console-router.js';

describe('console assets', () => {
  const files = fs.readdirSync(CONSOLE_ASSETS);

  it('build no markup from strings: no innerHTML, outerHTML, insertAdjacentHTML, document.write, eval', () => {
    for (const f of files.filter((x) => x.endsWith('.js'))) {
      const src = fs.readFileSync(path.join(CONSOLE_ASSETS, f), 'utf8');
      expect(src, f).to.not.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|srcdoc/);
    }
  });

  it('have no inline script, style or event handler in the page (strict CSP)', () => {
    const html = fs.readFileSync(path.join(CONSOLE_ASSETS, 'index.html'), 'utf8');
    expect(html).to.not.match(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).to.not.match(/<style|\sstyle=/);
    expect(html).to.not.match(/\son[a-z]+=/i);
  });

  it('give every UI text in ky, ru and en', async () => {
    const { TEXTS } = (await import(path.join(CONSOLE_ASSETS, 'i18n.js'))) as { TEXTS: Record<string, Record<string, string>> };
    const keys = Object.keys(TEXTS.en).sort();
    expect(Object.keys(TEXTS.ru).sort()).to.deep.equal(keys);
    expect(Object.keys(TEXTS.ky).sort()).to.deep.equal(keys);
    const html = fs.readFileSync(path.join(CONSOLE_ASSETS, 'index.html'), 'utf8');
    for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) expect(keys, m[1]).to.include(m[1]);
  });
});
