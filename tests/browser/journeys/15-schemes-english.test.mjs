// Journey 15 — support schemes in English, and their action errors. The admin reads the 2017 demo scheme in English:
// the selection and eligibility reasons come from the catalogue ("Rank 10: not
// enough budget … 240,000,000 VND"), no Vietnamese system sentence is left;
// an application's eligibility list is English. A monitoring visit with a
// progress of 150 % re-renders the page (422) with the summary focused and in
// view, linked to its field, and the note as typed. Screenshots
// `schemes-en-*` at 1366 and 390 px; axe on each page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, shot, checkA11y, nfc, SCREENSHOT_DIR } from '../lib.mjs';

const PREFIX = 'schemes-en';
const REASONS_VI = ['Xếp hạng', 'không đủ kinh phí', 'Không đủ điều kiện', 'Chưa được công nhận', 'được chọn', 'ưu tiên:'];

let server;
let browser;
let broken = null;
let current = null;
let schemeId = null;
let ineligibleId = null;
let contractedId = null;
const pageErrors = [];

const abs = (rel) => new URL(rel, server.url).href;
const go = (p, rel) => p.goto(abs(rel), { waitUntil: 'load' });
const clickNav = (p, locator) => Promise.all([p.waitForNavigation({ waitUntil: 'load' }), locator.click()]);

function step(name, fn, { critical = false } = {}) {
  test(name, async () => {
    if (broken) return;
    try {
      await fn();
    } catch (err) {
      if (critical) broken = name;
      if (current) {
        try {
          const file = await shot(current, `${PREFIX}-FAILED-${name.slice(0, 40)}`);
          err.message += `\n(page: ${current.url()}; screenshot: ${file})`;
        } catch { /* page may be gone */ }
      }
      throw err;
    }
  });
}

async function signedIn(width) {
  const context = await browser.newContext({ locale: 'vi-VN', viewport: { width, height: 800 } });
  const p = await context.newPage();
  p.setDefaultTimeout(20_000);
  p.on('pageerror', (err) => pageErrors.push(`[${width}] ${p.url()}: ${err.message}`));
  await go(p, '/login');
  await p.fill('input[name=username]', server.username);
  await p.fill('input[name=password]', server.password);
  await clickNav(p, p.locator('form button[type=submit]').last());
  current = p;
  return p;
}

async function switchTo(p, lang) {
  // On a phone the language switch sits in the folded menu: open it first.
  const toggle = p.locator('label.nav-toggle-label');
  if (await toggle.isVisible()) await toggle.click();
  await clickNav(p, p.locator(`form.lang-switch button[value=${lang}]`));
}

before(async () => {
  try {
    for (const f of readdirSync(SCREENSHOT_DIR)) {
      if (f.startsWith(`${PREFIX}-FAILED-`)) rmSync(path.join(SCREENSHOT_DIR, f));
    }
  } catch { /* none yet */ }
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (pageErrors.length) console.log(`# JavaScript errors:\n#   ${pageErrors.join('\n#   ')}`);
  await browser?.close().catch(() => {});
  await server?.stop();
});

step('1. the admin signs in; the 2017 demo scheme and its applications', async () => {
  const p = await signedIn(1366);
  const schemes = await (await p.request.get(abs('/api/v1/schemes'))).json();
  const s = schemes.items.find((x) => x.key === 'hn-2017-thuong-hieu');
  assert.ok(s, 'the demo scheme');
  schemeId = s.id;
  const apps = await (await p.request.get(abs(`/api/v1/schemes/${schemeId}/applications`))).json();
  ineligibleId = apps.items.find((a) => a.state === 'ineligible')?.id;
  contractedId = apps.items.find((a) => a.state === 'contracted')?.id;
  assert.ok(ineligibleId && contractedId, 'an ineligible and a contracted application');
  await p.context().close();
}, { critical: true });

for (const width of [1366, 390]) {
  step(`2. the scheme and an application in English (${width} px): reasons from the catalogue`, async () => {
    const p = await signedIn(width);
    await go(p, '/');
    await switchTo(p, 'en');
    await go(p, `/schemes/${schemeId}`);
    const reasons = (await p.locator('#applications-table td.reason').allInnerTexts()).map(nfc).join(' | ');
    assert.match(reasons, /Rank \d+: selected/, reasons);
    assert.match(reasons, /not enough budget .*\d{3},\d{3},\d{3} VND left/, reasons);
    const body = nfc(await p.locator('main').innerText());
    for (const w of REASONS_VI) assert.ok(!body.includes(w), `/schemes/${schemeId} (en) shows ${w}`);
    await checkA11y(p);
    await p.locator('#applications-table').scrollIntoViewIfNeeded();
    await shot(p, `${PREFIX}-scheme-${width}`);
    await go(p, `/applications/${ineligibleId}`);
    const checks = nfc(await p.locator('ul.checklist').innerText());
    assert.match(checks, /Not recognised|Not registered|Lacks|Recognised craft village|Registered through/, checks);
    const page = nfc(await p.locator('main').innerText());
    for (const w of REASONS_VI) assert.ok(!page.includes(w), `/applications/${ineligibleId} (en) shows ${w}`);
    await checkA11y(p);
    await shot(p, `${PREFIX}-application-${width}`);
    await switchTo(p, 'vi');
    await p.context().close();
  });

  step(`3. a bad monitoring visit (${width} px): 422, summary focused and linked, the note kept`, async () => {
    const p = await signedIn(width);
    await go(p, `/applications/${contractedId}`);
    const note = `Đã kiểm tra xưởng ${width}`;
    await p.fill('#f-progress', '150');
    await p.fill('#f-note', note);
    const [resp] = await Promise.all([
      p.waitForNavigation({ waitUntil: 'load' }),
      p.locator('form[action$="/visit"] button[type=submit]').click(),
    ]);
    assert.equal(resp.status(), 422);
    await p.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
    const box = await p.locator('.error-summary').first().boundingBox();
    assert.ok(box && box.y >= -1 && box.y < p.viewportSize().height, `summary in view: ${JSON.stringify(box)}`);
    assert.equal(await p.locator('.error-summary a[href="#f-progress"]').count(), 1);
    assert.match(nfc(await p.locator('.error-summary').innerText()), /Tiến độ: /, 'the summary names the field');
    assert.equal(await p.inputValue('#f-progress'), '150');
    assert.equal(nfc(await p.inputValue('#f-note')), note);
    await checkA11y(p);
    await shot(p, `${PREFIX}-visit-error-${width}`);
    await p.context().close();
  });
}
