// Journey 10 — errors that help and English that is whole. The admin submits a bad reporting-period form (a word where a number
// goes, two bad dates) and a bad village-recognition form: the error summary
// takes focus and is in view, each line names its field and links to it, and
// what was typed stays. Then the same pages in English: period names, dates
// and numbers the English way, no Vietnamese system text. Screenshots
// `words-*` at 1366 and 390 px; axe on each page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, shot, checkA11y, nfc, SCREENSHOT_DIR } from '../lib.mjs';

const PREFIX = 'words';
const SYSTEM_VI = ['Toàn tỉnh', 'tháng đầu năm', 'Đúng hạn', 'Chưa nộp', 'quá hạn', 'Đăng xuất', 'Trang chủ'];

let server;
let browser;
let broken = null;
let current = null;
let programId = null;
let villageId = null;
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

/** The error summary has focus and its top is inside the viewport. */
async function summaryFocusedAndInView(p) {
  await p.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
  const box = await p.locator('.error-summary').first().boundingBox();
  const vh = p.viewportSize().height;
  assert.ok(box && box.y >= -1 && box.y < vh, `summary out of view: ${JSON.stringify(box)} (viewport ${vh})`);
}

async function badPeriod(p) {
  await go(p, `/programs/${programId}/periods`);
  await p.selectOption('#f-kind', 'ad_hoc');
  await p.fill('#f-label', 'Kiểm tra nhanh làng nghề');
  await p.fill('#f-data_from', '32/13/2026');
  await p.fill('#f-data_to', 'hôm qua');
  await p.fill('#f-due_on', '15/12/2026');
  await p.fill('#f-remind_days', 'năm');
  await clickNav(p, p.locator('form.form button[type=submit]').last());
}

async function badRecognition(p) {
  await go(p, `/villages/${villageId}`);
  await p.fill('#f-number', '1234/QĐ-UBND');
  await p.fill('#f-issued_on', '31/2/2024');
  await p.fill('#f-issuer', 'UBND tỉnh Lào Cai');
  await p.selectOption('#f-status', 'traditional');
  await clickNav(p, p.locator('form[action$="/recognition"] button[type=submit]'));
}

before(async () => {
  try {
    for (const f of readdirSync(SCREENSHOT_DIR)) {
      if (f.startsWith(`${PREFIX}-FAILED-`)) rmSync(path.join(SCREENSHOT_DIR, f));
    }
  } catch { /* none yet */ }
  server = await startServer({ extraArgs: ['--demo-no-history'] }); // opens the 2023 periods itself
  browser = await launchBrowser();
});

after(async () => {
  if (pageErrors.length) console.log(`# JavaScript errors:\n#   ${pageErrors.join('\n#   ')}`);
  await browser?.close().catch(() => {});
  await server?.stop();
});

step('1. the admin signs in; a plan and a village to work on', async () => {
  const p = await signedIn(1366);
  const plans = await (await p.request.get(abs('/api/v1/programs?q=316&limit=10'))).json();
  const plan = plans.items.find((x) => x.key === 'lc-316-2022') ?? plans.items[0];
  assert.ok(plan, 'a plan');
  programId = plan.id;
  const villages = await (await p.request.get(abs('/api/v1/villages?limit=1'))).json();
  villageId = villages.items[0].id;
  await p.context().close();
}, { critical: true });

for (const width of [1366, 390]) {
  step(`2. a bad period form (${width} px): summary focused and in view, fields named and linked, typing kept`, async () => {
    const p = await signedIn(width);
    await badPeriod(p);
    await summaryFocusedAndInView(p);
    const lines = (await p.locator('.error-summary li').allInnerTexts()).map(nfc);
    const text = lines.join(' | ');
    assert.doesNotMatch(text, /error-number|error-date/, `raw key: ${text}`);
    assert.match(text, /“năm” không phải là số/, text);
    assert.match(text, /Số liệu từ ngày: Ngày không hợp lệ/, text);
    assert.match(text, /Số liệu đến ngày: Ngày không hợp lệ/, text);
    for (const f of ['data_from', 'data_to', 'remind_days']) {
      assert.equal(await p.locator(`.error-summary a[href="#f-${f}"]`).count(), 1, `summary links ${f}`);
      assert.equal(await p.getAttribute(`#f-${f}`, 'aria-invalid'), 'true', `${f} is marked invalid`);
      assert.match(await p.getAttribute(`#f-${f}`, 'aria-describedby'), new RegExp(`f-${f}-error`));
    }
    assert.equal(await p.inputValue('#f-data_from'), '32/13/2026');
    assert.equal(await p.inputValue('#f-data_to'), 'hôm qua');
    assert.equal(await p.inputValue('#f-remind_days'), 'năm');
    assert.equal(await p.inputValue('#f-label'), 'Kiểm tra nhanh làng nghề');
    await checkA11y(p);
    await shot(p, `${PREFIX}-period-error-${width}`);
    // Following a summary link puts the focus on the field.
    await p.locator('.error-summary a[href="#f-remind_days"]').click();
    assert.equal(await p.evaluate(() => document.activeElement?.id), 'f-remind_days');
    await p.context().close();
  });

  step(`3. a bad recognition form (${width} px): the error stays in view and nothing typed is lost`, async () => {
    const p = await signedIn(width);
    await badRecognition(p);
    await summaryFocusedAndInView(p);
    const text = (await p.locator('.error-summary li').allInnerTexts()).map(nfc).join(' | ');
    assert.match(text, /Ngày ban hành|ngày/i, text);
    assert.ok(await p.locator('.error-summary a[href="#f-issued_on"]').count() >= 1, `linked: ${text}`);
    assert.equal(await p.inputValue('#f-number'), '1234/QĐ-UBND');
    assert.equal(await p.inputValue('#f-issued_on'), '31/2/2024');
    assert.equal(await p.inputValue('#f-issuer'), 'UBND tỉnh Lào Cai');
    assert.equal(await p.inputValue('#f-status'), 'traditional');
    await checkA11y(p);
    await shot(p, `${PREFIX}-recognition-error-${width}`);
    await p.context().close();
  });

  step(`4. English (${width} px): the period form and its errors, the pages with system text`, async () => {
    const p = await signedIn(width);
    await go(p, '/');
    // On a phone the language switch sits in the folded menu: open it first.
    const toggle = p.locator('label.nav-toggle-label');
    if (await toggle.isVisible()) await toggle.click();
    await clickNav(p, p.locator('form.lang-switch button[value=en]'));
    await badPeriod(p);
    await summaryFocusedAndInView(p);
    const text = (await p.locator('.error-summary li').allInnerTexts()).map(nfc).join(' | ');
    assert.match(text, /“năm” is not a number/, text);
    assert.match(text, /Data from: Invalid date/, text);
    await shot(p, `${PREFIX}-period-error-en-${width}`);
    for (const rel of ['/', `/programs/${programId}/periods`, '/reports', `/villages/${villageId}`, '/admin-units?level=commune']) {
      await go(p, rel);
      const body = nfc(await p.locator('body').innerText());
      for (const w of SYSTEM_VI) assert.ok(!body.includes(w), `${rel} (en) shows ${w}`);
    }
    await go(p, '/admin-units?level=commune');
    const count = nfc(await p.locator('p.count').innerText());
    assert.match(count, /\d,\d{3}/, `English thousands: ${count}`);
    await checkA11y(p);
    await shot(p, `${PREFIX}-admin-units-en-${width}`);
    await go(p, `/programs/${programId}/periods`);
    await shot(p, `${PREFIX}-periods-en-${width}`);
    // The choice is kept with the account: back to Vietnamese for what follows.
    const menu = p.locator('label.nav-toggle-label');
    if (await menu.isVisible()) await menu.click();
    await clickNav(p, p.locator('form.lang-switch button[value=vi]'));
    await p.context().close();
  });
}
