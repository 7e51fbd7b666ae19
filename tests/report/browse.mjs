// browse.mjs - open a chaff report in headless Chromium and check it the
// way a reader would: it loads, logs no error, fetches nothing, its script
// sorts and filters the table, and no script from the data runs. Saves
// screenshots (and a PDF of the print layout) for a person to look at.
//
// Chromium is driven over its own DevTools pipe (--remote-debugging-pipe:
// JSON messages ending in NUL on fds 3 and 4), so the test needs nothing
// from npm and no browser download: only Debian's chromium.
//
// usage: node browse.mjs --html FILE --out DIR --name NAME --mode normal|hostile
//                        [--rows N] [--strip-csp] [--chromium PATH] [--eval EXPR]
// Prints "ok CHECK" or "fail CHECK: detail" lines; exits 0 when all pass.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const arg = (name, def) => {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : def;
};
const flag = (name) => process.argv.includes('--' + name);
const html = path.resolve(arg('html'));
const outDir = path.resolve(arg('out', '.'));
const name = arg('name', 'report');
const mode = arg('mode', 'normal');
const wantRows = arg('rows') === undefined ? -1 : Number(arg('rows'));
const chromium = arg('chromium', '/usr/bin/chromium');

let failures = 0;
const report = (ok, check, detail) => {
  if (ok) console.log('ok ' + check);
  else { failures++; console.log('fail ' + check + (detail ? ': ' + detail : '')); }
};

fs.mkdirSync(outDir, { recursive: true });
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chaff-chromium-'));
let page = html;
if (flag('strip-csp')) {
  // Without the policy, only the escaping stands between the data and the
  // browser: the hostile test must still find no script run.
  const text = fs.readFileSync(html, 'utf8');
  const stripped = text.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
  if (stripped === text) report(false, 'csp-present', 'no policy to strip');
  page = path.join(scratch, 'nocsp.html');
  fs.writeFileSync(page, stripped);
}

const proc = spawn(chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-extensions', '--disable-default-apps', '--mute-audio', '--hide-scrollbars',
  '--user-data-dir=' + path.join(scratch, 'profile'), '--remote-debugging-pipe',
  '--window-size=1280,900', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let stderr = '';
proc.stderr.on('data', (d) => { if (stderr.length < 20000) stderr += d; });

const killer = setTimeout(() => {
  console.log('fail timeout: chromium did not finish in 90 s');
  proc.kill('SIGKILL');
  process.exit(1);
}, 90000);

// ---- the DevTools protocol over the pipe -------------------------------
const toBrowser = proc.stdio[3], fromBrowser = proc.stdio[4];
let nextId = 1, pending = new Map(), listeners = [], inbuf = Buffer.alloc(0);
fromBrowser.on('data', (chunk) => {
  inbuf = Buffer.concat([inbuf, chunk]);
  let end;
  while ((end = inbuf.indexOf(0)) >= 0) {
    const msg = JSON.parse(inbuf.subarray(0, end).toString('utf8'));
    inbuf = inbuf.subarray(end + 1);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(msg.error.message));
      else resolve(msg.result);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  }
});
const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
  const id = nextId++;
  pending.set(id, { resolve, reject });
  const msg = { id, method, params };
  if (sessionId) msg.sessionId = sessionId;
  toBrowser.write(JSON.stringify(msg) + '\0');
});
const waitFor = (method, ms) => new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error('no ' + method + ' in ' + ms + ' ms')), ms);
  listeners.push((m) => { if (m.method === method) { clearTimeout(t); resolve(m.params); } });
});

// ---- what the page logs and fetches ------------------------------------
const problems = [], requests = [];
listeners.push((m) => {
  const p = m.params || {};
  if (m.method === 'Runtime.consoleAPICalled' && ['error', 'warning', 'assert'].includes(p.type))
    problems.push('console.' + p.type + ': ' + p.args.map((a) => a.value ?? a.description).join(' '));
  if (m.method === 'Runtime.exceptionThrown')
    problems.push('exception: ' + (p.exceptionDetails.exception?.description || p.exceptionDetails.text));
  if (m.method === 'Log.entryAdded' && ['error', 'warning'].includes(p.entry.level))
    problems.push('log ' + p.entry.source + ': ' + p.entry.text);
  if (m.method === 'Network.requestWillBeSent') requests.push(p.request.url);
});

async function main() {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId: s } = await send('Target.attachToTarget', { targetId, flatten: true });
  const cmd = (method, params) => send(method, params, s);
  await cmd('Page.enable');
  await cmd('Runtime.enable');
  await cmd('Log.enable');
  await cmd('Network.enable');
  await cmd('Emulation.setDeviceMetricsOverride',
    { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
  const loaded = waitFor('Page.loadEventFired', 30000);
  const url = 'file://' + page;
  await cmd('Page.navigate', { url });
  await loaded;
  const evaluate = async (expr) => {
    const r = await cmd('Runtime.evaluate', { expression: expr, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error('check script: ' + r.exceptionDetails.text);
    return r.result.value;
  };
  await new Promise((r) => setTimeout(r, 300));

  if (arg('eval')) console.log(JSON.stringify(await evaluate(arg('eval')), null, 1));
  const checks = mode === 'hostile' ? hostileChecks : normalChecks;
  const results = await evaluate('(' + checks.toString() + ')(' + JSON.stringify({ wantRows }) + ')');
  for (const [check, [ok, detail]] of Object.entries(results)) report(ok, check, detail);

  // Screenshots: the top of the page, every section, and the print layout.
  const shot = async (file, clip) => {
    const r = await cmd('Page.captureScreenshot', clip
      ? { format: 'png', clip: { ...clip, scale: 1 }, captureBeyondViewport: true }
      : { format: 'png' });
    fs.writeFileSync(path.join(outDir, file), Buffer.from(r.data, 'base64'));
  };
  await cmd('Runtime.evaluate', { expression: 'window.scrollTo(0,0)' });
  await shot(name + '.png');
  const rects = await evaluate(`Array.from(document.querySelectorAll('section')).map(e => {
    const r = e.getBoundingClientRect();
    return { id: e.id, x: 0, y: r.top + window.scrollY - 8, width: 1280, height: Math.min(r.height + 16, 2200) };
  })`);
  for (const r of rects) await shot(name + '-' + r.id + '.png', r);
  await cmd('Emulation.setEmulatedMedia', { media: 'print' });
  await shot(name + '-print.png');
  await cmd('Emulation.setEmulatedMedia', { media: '' });
  const pdf = await cmd('Page.printToPDF', { printBackground: true, preferCSSPageSize: true });
  const pdfBytes = Buffer.from(pdf.data, 'base64');
  fs.writeFileSync(path.join(outDir, name + '.pdf'), pdfBytes);
  report(pdfBytes.length > 1000 && pdfBytes.subarray(0, 5).toString() === '%PDF-', 'prints',
    pdfBytes.length + ' bytes of PDF');

  await new Promise((r) => setTimeout(r, 200));
  report(problems.length === 0, 'no-errors-logged', problems.slice(0, 5).join(' | '));
  const foreign = requests.filter((u) => u !== url);
  report(foreign.length === 0, 'no-requests', foreign.slice(0, 5).join(' '));
}

// ---- checks, run inside the page ---------------------------------------
// Each returns {name: [ok, detail]}.
async function normalChecks({ wantRows }) {
  const $ = (q) => document.querySelector(q), $$ = (q) => Array.from(document.querySelectorAll(q));
  const out = {};
  const t = $('#pages');
  const rows = t ? Array.from(t.tBodies[0].rows) : [];
  const visible = () => rows.filter((r) => !r.hidden);
  out['script-ran-under-csp'] = [document.documentElement.getAttribute('data-ready') === '1',
    'the inline script did not run (CSP hash?)'];
  out['sections'] = [['overview', 'probabilities', 'hosts', 'signals', 'review', 'table', 'notes']
    .every((id) => document.getElementById(id)), 'a section is missing'];
  out['label-chart'] = [$$('#overview svg rect').length >= 2, $$('#overview svg rect').length + ' bars'];
  out['histograms'] = [$$('#probabilities svg').length >= 2 && $$('#probabilities svg rect').length >= 2,
    $$('#probabilities svg').length + ' histograms'];
  out['host-tables'] = [$$('#hosts table tbody tr').length >= 1, $$('#hosts table tbody tr').length + ' rows'];
  out['signal-table'] = [$$('#signals table.heat tbody tr').length >= 5,
    $$('#signals table.heat tbody tr').length + ' rows'];
  out['review-cards'] = [$$('#review .card').length >= 1, $$('#review .card').length + ' cards'];
  out['table-rows'] = [wantRows < 0 ? rows.length > 0 : rows.length === wantRows,
    rows.length + ' rows, want ' + wantRows];
  out['controls-shown'] = [!$('#controls').hidden, 'filter controls hidden'];
  out['links-http-only'] = [$$('a[href]').every((a) => /^(https?:|#)/i.test(a.getAttribute('href'))),
    'a link that is not http(s)'];
  // Sorting: a probability column, descending then ascending.
  const probHead = $$('#pages thead th').findIndex((th) => th.getAttribute('data-type') === 'num' &&
    th.textContent.startsWith('p('));
  if (probHead >= 0 && rows.length > 1) {
    const col = () => Array.from(t.tBodies[0].rows).map((r) => parseFloat(r.cells[probHead].getAttribute('data-v')));
    const button = t.tHead.rows[0].cells[probHead];
    button.click();
    const down = col();
    button.click();
    const up = col();
    out['sort-desc'] = [down.every((v, i) => !i || down[i - 1] >= v), 'not descending'];
    out['sort-asc'] = [up.every((v, i) => !i || up[i - 1] <= v), 'not ascending'];
    out['sort-aria'] = [t.tHead.rows[0].cells[probHead].getAttribute('aria-sort') === 'ascending', 'aria-sort'];
    const hostHead = t.tHead.rows[0].cells[2];
    hostHead.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    const hosts = Array.from(t.tBodies[0].rows).map((r) => r.cells[2].textContent.toLowerCase());
    out['sort-keyboard'] = [hostHead.tabIndex === 0 && hostHead.getAttribute('aria-sort') === 'ascending' &&
      hosts.every((h, i) => !i || hosts[i - 1] <= h), 'Enter on a heading did not sort'];
    t.tHead.rows[0].cells[0].click();  // back to rank order
  } else {
    out['sort'] = [false, 'no probability column'];
  }
  // Filtering: by the host of the first row, then by a label.
  if (rows.length) {
    const q = $('#q'), lab = $('#lab');
    const host = rows[0].cells[2].textContent;
    q.value = host;
    q.dispatchEvent(new Event('input'));
    const v = visible();
    out['filter-text'] = [v.length >= 1 && v.length <= rows.length &&
      v.every((r) => r.textContent.toLowerCase().includes(host.toLowerCase())),
      v.length + ' rows shown for ' + host];
    out['filter-count'] = [/\d/.test($('#shown').textContent), $('#shown').textContent];
    q.value = '';
    q.dispatchEvent(new Event('input'));
    out['filter-cleared'] = [visible().length === rows.length, visible().length + ' rows'];
    const label = rows[0].getAttribute('data-label');
    lab.value = label;
    lab.dispatchEvent(new Event('change'));
    out['filter-label'] = [visible().length >= 1 && visible().every((r) => r.getAttribute('data-label') === label),
      visible().length + ' rows for ' + label];
    lab.value = '';
    lab.dispatchEvent(new Event('change'));
  }
  // Nothing wider than the window: long URLs and evidence wrap.
  out['no-overflow'] = [document.documentElement.scrollWidth <= window.innerWidth + 1,
    'page is ' + document.documentElement.scrollWidth + ' px wide'];
  return out;
}

async function hostileChecks() {
  const out = {};
  const body = document.body.textContent;
  const all = Array.from(document.querySelectorAll('*'));
  await new Promise((r) => setTimeout(r, 300));  // let any onerror fire
  out['no-marker'] = [window.__pwned === undefined && !document.title.includes('PWNED') &&
    !document.documentElement.hasAttribute('data-pwned'), 'a script from the data ran'];
  out['title-kept'] = [document.title.startsWith('chaff report'), document.title];
  out['one-script'] = [document.scripts.length === 1, document.scripts.length + ' script elements'];
  out['no-images'] = [document.images.length === 0 && !document.querySelector('iframe,object,embed,img,video,audio'),
    'an element from the data was created'];
  out['no-handlers'] = [all.every((e) => Array.from(e.attributes).every((a) => !/^on/i.test(a.name))),
    'an element has an on* attribute'];
  out['shown-as-text'] = [body.includes('<script>') && body.includes('"><img') && body.includes('</script>'),
    'hostile strings are not shown as text'];
  out['links-http-only'] = [Array.from(document.querySelectorAll('a[href]'))
    .every((a) => /^(https?:|#)/i.test(a.getAttribute('href'))), 'a javascript: or data: link'];
  out['replacement-char'] = [body.includes('\uFFFD'), 'broken UTF-8 not shown as U+FFFD'];
  out['no-bidi-override'] = [body.includes('evil.exe') && !/[\u202A-\u202E\u2066-\u2069]/.test(body),
    'a bidi override reached the page'];
  out['layout-kept'] = [document.querySelectorAll('section').length === 7 &&
    document.getElementById('pages').tBodies[0].rows.length >= 1, 'sections or table broken'];
  out['no-overflow'] = [document.documentElement.scrollWidth <= window.innerWidth + 1,
    'page is ' + document.documentElement.scrollWidth + ' px wide'];
  return out;
}

// Close the browser, wait for it to exit, then remove its profile.
const exited = new Promise((resolve) => proc.on('exit', resolve));
async function finish() {
  clearTimeout(killer);
  const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
  proc.kill();
  await exited;
  clearTimeout(t);
  try { fs.rmSync(scratch, { recursive: true, force: true }); } catch { /* best effort */ }
}

main().then(finish, async (e) => {
  console.log('fail browser: ' + e.message);
  console.log(stderr.split('\n').slice(-5).join('\n'));
  failures++;
  await finish();
}).then(() => { process.exitCode = failures ? 1 : 0; });
