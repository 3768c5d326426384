/* global document, Node, sessionStorage, localStorage, FormData, URLSearchParams */
// The operator console: a thin client of /ops/v1. Everything that comes from the server is put
// into the page with textContent or as SVG text nodes; markup is never built from strings, so a
// hostile message body or fault string can only ever show up as text.
import { TEXTS } from './i18n.js';
import { prettyBody } from './pretty.js';

const OPS = '/ops/v1';
const TOKEN_KEY = 'ops-token';
const LANG_KEY = 'ops-lang';
const SVG_NS = 'http://www.w3.org/2000/svg';

const state = { token: null, me: null, lang: 'ky', cursor: null, filter: {}, current: null, lastIntegrity: null, lastStats: null };

const $ = (id) => document.getElementById(id);

function t(key, vars) {
  const s = (TEXTS[state.lang] && TEXTS[state.lang][key]) || TEXTS.en[key] || key;
  return vars ? s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? '')) : s;
}

/** Builds an element; string children become text nodes. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function showError(message) {
  const box = $('error');
  box.textContent = message || '';
  box.hidden = !message;
}

async function api(path, init) {
  const res = await fetch(OPS + path, { ...init, headers: { Authorization: `Bearer ${state.token}`, 'Accept-Language': state.lang } });
  if (!res.ok) {
    let message = t('errorGeneric');
    try {
      const body = await res.json();
      message = (body.messages && body.messages[state.lang]) || body.message || message;
    } catch {
      // not JSON: keep the generic message
    }
    if (res.status === 401) signOut();
    const err = new Error(message);
    err.status = res.status;
    throw err;
  }
  return res;
}

function applyTexts() {
  document.documentElement.lang = state.lang;
  document.title = t('title');
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  if (state.me) $('whoami').textContent = t('signedInAs', state.me);
  if (state.lastIntegrity) renderIntegrity(state.lastIntegrity);
  if (state.lastStats) renderStats(state.lastStats);
}

// ---- sign-in ----------------------------------------------------------------------------------

async function signIn(token) {
  state.token = token;
  try {
    state.me = await (await api('/me')).json();
  } catch (e) {
    state.token = null;
    state.me = null;
    throw e;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $('signin').hidden = true;
  $('app').hidden = false;
  $('signout').hidden = false;
  applyTexts();
  selectTab('exchanges');
  await search(true);
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.me = null;
  $('whoami').textContent = '';
  $('app').hidden = true;
  $('signin').hidden = false;
  $('signout').hidden = true;
}

// ---- exchanges --------------------------------------------------------------------------------

function localToIso(value) {
  return value ? new Date(value).toISOString() : '';
}

function readFilter(form) {
  const data = new FormData(form);
  const f = {};
  for (const [k, v] of data.entries()) {
    const s = String(v).trim();
    if (!s) continue;
    f[k] = k === 'from' || k === 'to' ? localToIso(s) : s;
  }
  return f;
}

async function search(reset) {
  showError('');
  if (reset) {
    state.cursor = null;
    $('rows').replaceChildren();
  }
  const params = new URLSearchParams({ ...state.filter, limit: '50' });
  if (state.cursor) params.set('cursor', state.cursor);
  try {
    const page = await (await api(`/exchanges?${params}`)).json();
    for (const x of page.items) $('rows').append(row(x));
    state.cursor = page.nextCursor;
    $('more').hidden = !page.nextCursor;
    $('empty').hidden = $('rows').children.length > 0;
  } catch (e) {
    showError(e.message);
  }
}

function row(x) {
  const open = el('button', { class: 'link', type: 'button', 'data-testid': `open-${x.seq}`, onclick: () => openExchange(x.seq) }, String(x.seq));
  return el(
    'tr',
    { 'data-seq': String(x.seq) },
    el('td', {}, open),
    el('td', {}, new Date(x.requestInTs).toISOString().replace('T', ' ').replace('Z', '')),
    el('td', {}, x.direction),
    el('td', {}, x.client),
    el('td', {}, x.serviceCode),
    el('td', { class: x.succeeded ? 'ok' : 'fault' }, x.succeeded ? t('ok') : x.faultCode || t('fault')),
    el('td', {}, String(x.durationMs)),
    el('td', {}, x.messageId),
  );
}

const TIME_FIELDS = new Set(['requestInTs', 'requestOutTs', 'responseInTs', 'responseOutTs', 'loggedAt']);

async function openExchange(seq) {
  showError('');
  try {
    const x = await (await api(`/exchanges/${seq}`)).json();
    state.current = x;
    $('detail-seq').textContent = `#${x.seq}`;
    const rows = [];
    for (const [k, v] of Object.entries(x)) {
      if (k === 'subjectList' || v === null) continue;
      const shown = TIME_FIELDS.has(k) ? `${new Date(v).toISOString()} (${v})` : typeof v === 'object' ? JSON.stringify(v) : String(v);
      rows.push(el('tr', {}, el('th', {}, k), el('td', { 'data-field': k }, shown)));
    }
    rows.push(el('tr', {}, el('th', {}, t('subjects')), el('td', {}, x.subjectList.map((s) => `${s.kind} ${s.value}`).join(', '))));
    $('meta').replaceChildren(...rows);
    const mayRead = state.me.role === 'operator';
    $('bodies-denied').hidden = mayRead;
    $('bodies-allowed').hidden = !mayRead;
    $('show-request').disabled = !x.hasRequestBody;
    $('show-response').disabled = !x.hasResponseBody;
    $('body').hidden = true;
    $('body-title').hidden = true;
    selectTab('detail');
  } catch (e) {
    showError(e.message);
  }
}

async function showBody(part) {
  showError('');
  const seq = state.current.seq;
  const why = $('why').value.trim();
  try {
    const res = await api(`/exchanges/${seq}/${part}${why ? `?why=${encodeURIComponent(why)}` : ''}`);
    const text = new TextDecoder('utf-8').decode(await res.arrayBuffer());
    $('body-title').textContent = t(part);
    $('body-title').hidden = false;
    $('body').textContent = prettyBody(text);
    $('body').hidden = false;
  } catch (e) {
    showError(e.status === 404 ? t('bodyMissing') : e.message);
  }
}

// ---- integrity --------------------------------------------------------------------------------

function renderIntegrity(r) {
  const status = $('integrity-status');
  status.className = `status ${r.ok ? 'ok' : 'bad'}`;
  status.textContent = r.ok
    ? t('intact', { from: r.from, to: r.to })
    : t('brokenAt', { seq: r.firstBreak.seq, kind: t(`kind_${r.firstBreak.kind}`) });
  const items = [t('checked', { n: r.checked }), t('checkpointsVerified', { n: r.checkpointsVerified }), t('unsigned', { n: r.unsignedTail })];
  if (r.firstBreak) items.push(r.firstBreak.detail);
  $('integrity-details').replaceChildren(...items.map((s) => el('li', {}, s)));
}

async function checkIntegrity() {
  showError('');
  $('integrity-status').className = 'status';
  $('integrity-status').textContent = t('checking');
  try {
    state.lastIntegrity = await (await api('/integrity')).json();
    renderIntegrity(state.lastIntegrity);
  } catch (e) {
    $('integrity-status').textContent = '';
    showError(e.message);
  }
}

// ---- statistics -------------------------------------------------------------------------------

/** Horizontal bars per service: the whole bar is the count, its red part the faults. */
function renderStats(data) {
  const services = data.services;
  $('stats-rows').replaceChildren(
    ...services.map((s) =>
      el('tr', {}, el('td', {}, s.direction), el('td', {}, s.serviceCode), el('td', {}, String(s.count)), el('td', {}, `${(s.errorRate * 100).toFixed(1)} %`), el('td', {}, String(s.p50Ms)), el('td', {}, String(s.p95Ms))),
    ),
  );
  const chart = $('chart');
  if (services.length === 0) {
    chart.replaceChildren(el('p', {}, t('noStats')));
    return;
  }
  const rowH = 26;
  const labelW = 260;
  const width = 900;
  const barW = width - labelW - 140;
  const max = Math.max(...services.map((s) => s.count));
  const root = svg('svg', { viewBox: `0 0 ${width} ${services.length * rowH + 10}`, role: 'img', 'data-testid': 'stats-svg' });
  root.append(svg('title', {}, t('stats')));
  services.forEach((s, i) => {
    const y = 5 + i * rowH;
    const w = Math.max(1, (s.count / max) * barW);
    const wf = (s.faults / max) * barW;
    root.append(svg('text', { x: 4, y: y + 16 }, `${s.direction} ${s.serviceCode}`));
    root.append(svg('rect', { x: labelW, y: y + 3, width: w, height: rowH - 8, class: 'bar-ok' }));
    if (wf > 0) root.append(svg('rect', { x: labelW + w - wf, y: y + 3, width: wf, height: rowH - 8, class: 'bar-fault' }));
    root.append(svg('text', { x: labelW + w + 6, y: y + 16 }, `${s.count} · ${(s.errorRate * 100).toFixed(1)} % · p95 ${s.p95Ms} ms`));
  });
  chart.replaceChildren(root);
}

async function loadStats(form) {
  showError('');
  const f = readFilter(form);
  try {
    state.lastStats = await (await api(`/stats?${new URLSearchParams(f)}`)).json();
    renderStats(state.lastStats);
  } catch (e) {
    showError(e.message);
  }
}

// ---- wiring -----------------------------------------------------------------------------------

function selectTab(name) {
  for (const tab of document.querySelectorAll('.tab')) tab.hidden = tab.id !== `tab-${name}`;
  for (const b of document.querySelectorAll('[data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === name || (name === 'detail' && b.dataset.tab === 'exchanges')));
}

function init() {
  const saved = localStorage.getItem(LANG_KEY);
  state.lang = saved && TEXTS[saved] ? saved : 'ky';
  $('lang').value = state.lang;
  applyTexts();
  $('lang').addEventListener('change', () => {
    state.lang = $('lang').value;
    localStorage.setItem(LANG_KEY, state.lang);
    applyTexts();
  });
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    showError('');
    signIn($('token').value.trim()).catch((e) => showError(e.message));
  });
  $('signout').addEventListener('click', () => signOut());
  $('filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.filter = readFilter(ev.target);
    search(true);
  });
  $('more').addEventListener('click', () => search(false));
  $('back').addEventListener('click', () => selectTab('exchanges'));
  $('show-request').addEventListener('click', () => showBody('request'));
  $('show-response').addEventListener('click', () => showBody('response'));
  $('check').addEventListener('click', () => checkIntegrity());
  $('stats-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadStats(ev.target);
  });
  for (const b of document.querySelectorAll('[data-tab]')) {
    b.addEventListener('click', () => {
      selectTab(b.dataset.tab);
      if (b.dataset.tab === 'stats' && !state.lastStats) loadStats($('stats-form'));
    });
  }
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) signIn(token).catch(() => signOut());
}

init();
