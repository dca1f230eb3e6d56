// Journey 06 — sign-in and accounts under real use: the admin is
// refused weak passwords for a new district officer (blank, short, common,
// guessable — each message says why), then creates the officer with a
// passphrase; two tabs edit the same account and the older one's save shows
// "Bạn nhập / Đã lưu" and keeps what was typed; the officer signs in on a phone
// (390 px), is refused a weak new password, and cannot open /users; the pages
// are checked in English too; the officer makes two API tokens and revokes one
// (the revoked one is refused at once). Screenshots at 1366 and 390 px; axe on each page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, shot, checkA11y, nfc, SCREENSHOT_DIR } from '../lib.mjs';

const PREFIX = 'accounts';
const OFFICER = {
  username: 'canbo.gialam',
  display: 'Trần Văn Gốm',
  password: 'Gia Lâm gốm sứ 2026',
  newPassword: 'men rạn Bát Tràng giữ lửa 2026',
  agency: 'Ủy ban nhân dân huyện Gia Lâm',
  scope: '018',
};

let server;
let browser;
let page;
let admin; // context of the admin: two tabs
let broken = null;
let editPath = null;
const pageErrors = [];

const pathOf = (p) => new URL(p.url()).pathname;
const abs = (rel) => new URL(rel, server.url).href;
const go = (p, rel) => p.goto(abs(rel), { waitUntil: 'load' });
const clickNav = (p, locator) => Promise.all([p.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
const summary = async (p) => (await p.locator('.error-summary li, .field-error').allInnerTexts()).map(nfc).join(' | ');

function step(name, fn, { critical = false } = {}) {
  test(name, async () => {
    if (broken) return;
    try {
      await fn();
    } catch (err) {
      if (critical) broken = name;
      if (page) {
        try {
          const file = await shot(page, `${PREFIX}-FAILED-${name.slice(0, 40)}`);
          err.message += `\n(page: ${page.url()}; screenshot: ${file})`;
        } catch { /* page may be gone */ }
      }
      throw err;
    }
  });
}

async function newContext(width, locale = 'vi-VN') {
  const context = await browser.newContext({ locale, viewport: { width, height: 900 } });
  return context;
}

async function newPage(context, label) {
  const p = await context.newPage();
  p.setDefaultTimeout(20_000);
  p.on('pageerror', (err) => pageErrors.push(`[${label}] ${p.url()}: ${err.message}`));
  return p;
}

async function login(p, username, password) {
  await go(p, '/login');
  await p.fill('input[name=username]', username);
  await p.fill('input[name=password]', password);
  await clickNav(p, p.locator('form button[type=submit]').last());
}

async function setLang(p, lang) {
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
  admin = await newContext(1366);
});

after(async () => {
  if (pageErrors.length) console.log(`# JavaScript errors:\n#   ${pageErrors.join('\n#   ')}`);
  await browser?.close().catch(() => {});
  await server?.stop();
});

step('1. the login page (vi, 1366 px) and a next= that leaves the site goes home', async () => {
  page = await newPage(admin, 'admin');
  await go(page, '/login?next=%2F%09%2Fevil.example');
  await checkA11y(page);
  await shot(page, `${PREFIX}-login-1366`);
  await page.fill('input[name=username]', server.username);
  await page.fill('input[name=password]', server.password);
  await clickNav(page, page.locator('form button[type=submit]').last());
  assert.equal(new URL(page.url()).host, new URL(server.url).host, `left the site: ${page.url()}`);
  assert.equal(pathOf(page), '/');
}, { critical: true });

step('2. weak passwords are refused, each saying why; a passphrase is taken', async () => {
  const tries = [
    ['          ', /khoảng trắng/],
    ['1111111111', /12 ký tự/],
    ['password1234', /phổ biến/],
    ['qwertyuiop12', /dễ đoán|phổ biến/],
  ];
  for (const [pw, why] of tries) {
    await go(page, '/users/new');
    await page.fill('#f-username', OFFICER.username);
    await page.fill('#f-display_name', OFFICER.display);
    await page.fill('#f-password', pw);
    await page.selectOption('#f-role', 'officer');
    await page.selectOption('#f-agency', { label: OFFICER.agency });
    await page.fill('#f-scope', OFFICER.scope);
    await clickNav(page, page.locator('form.form button[type=submit]'));
    const msg = await summary(page);
    assert.match(msg, why, `${JSON.stringify(pw)}: ${msg}`);
    assert.equal(await page.inputValue('#f-username'), OFFICER.username, 'the typing stays');
    if (pw === 'password1234') {
      await checkA11y(page);
      await shot(page, `${PREFIX}-password-refused-1366`);
    }
  }
  await page.fill('#f-password', OFFICER.password);
  await clickNav(page, page.locator('form.form button[type=submit]'));
  assert.equal(pathOf(page), '/users', `not created: ${await summary(page)}`);
  const link = page.locator(`a:has-text("${OFFICER.username}")`);
  editPath = new URL(await link.getAttribute('href'), server.url).pathname;
  assert.match(editPath, /^\/users\/\d+\/edit$/);
}, { critical: true });

step('3. two tabs edit the account: the older save shows Bạn nhập / Đã lưu and keeps the typing', async () => {
  const tabA = page;
  const tabB = await newPage(admin, 'admin-tab-b');
  await go(tabA, editPath);
  await go(tabB, editPath);
  await checkA11y(tabA);
  await tabA.fill('#f-display_name', 'Trần Văn Gốm (phòng Kinh tế)');
  await clickNav(tabA, tabA.locator('form.form button[type=submit]'));
  assert.equal(pathOf(tabA), '/users');
  page = tabB;
  await tabB.fill('#f-display_name', 'Trần V. Gốm — sửa ở tab cũ');
  await tabB.selectOption('#f-role', 'viewer');
  await clickNav(tabB, tabB.locator('form.form button[type=submit]'));
  const text = nfc(await tabB.locator('main').innerText());
  assert.ok(text.includes('Bạn nhập') && text.includes('Đã lưu'), `no conflict table: ${text.slice(0, 400)}`);
  assert.ok(text.includes('Trần Văn Gốm (phòng Kinh tế)'), 'the stored value is shown');
  assert.equal(await tabB.inputValue('#f-display_name'), 'Trần V. Gốm — sửa ở tab cũ', 'the typing stays');
  await checkA11y(tabB);
  await shot(tabB, `${PREFIX}-stale-save-1366`);
  await tabB.setViewportSize({ width: 390, height: 844 });
  await shot(tabB, `${PREFIX}-stale-save-390`);
  const wide = await tabB.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 392, `the page is wider than the phone: ${wide}px`);
  // Saving again is deliberate: it overwrites.
  await clickNav(tabB, tabB.locator('form.form button[type=submit]'));
  assert.equal(pathOf(tabB), '/users', `saving again: ${await summary(tabB)}`);
  await tabB.close();
  page = tabA;
});

step('4. the same pages in English', async () => {
  await setLang(page, 'en');
  await go(page, '/users/new');
  await page.fill('#f-username', 'canbo.thu');
  await page.fill('#f-password', 'password1234');
  await page.selectOption('#f-agency', { label: OFFICER.agency });
  await page.fill('#f-scope', OFFICER.scope);
  await clickNav(page, page.locator('form.form button[type=submit]'));
  assert.match(await summary(page), /common passwords/);
  await checkA11y(page);
  await shot(page, `${PREFIX}-password-refused-en-1366`);
  await go(page, editPath);
  assert.ok(nfc(await page.locator('h1').innerText()).startsWith('Edit account'));
  await checkA11y(page);
  await setLang(page, 'vi');
});

step('5. the district officer on a phone: login, a weak new password refused, no /users', async () => {
  const phone = await newContext(390);
  page = await newPage(phone, OFFICER.username);
  await go(page, '/login');
  await checkA11y(page);
  await shot(page, `${PREFIX}-login-390`);
  await login(page, OFFICER.username, OFFICER.password);
  assert.equal(pathOf(page), '/', `officer login: ${await summary(page)}`);
  await go(page, '/account/password');
  await page.fill('#f-current', OFFICER.password);
  await page.fill('#f-new', 'giaLam123456');
  await page.fill('#f-confirm', 'giaLam123456');
  await clickNav(page, page.locator('form.form button[type=submit]'));
  const msg = await summary(page);
  assert.match(msg, /dễ đoán|phổ biến|tên đăng nhập/, msg);
  await checkA11y(page);
  await shot(page, `${PREFIX}-officer-password-refused-390`);
  await page.fill('#f-current', OFFICER.password);
  await page.fill('#f-new', OFFICER.newPassword);
  await page.fill('#f-confirm', OFFICER.newPassword);
  await clickNav(page, page.locator('form.form button[type=submit]'));
  assert.equal(pathOf(page), '/', `password change: ${await summary(page)}`);
  const res = await page.goto(abs('/users'));
  assert.equal(res.status(), 403);
  await shot(page, `${PREFIX}-officer-users-403-390`);
  await phone.close();
});

step('6. the officer makes two API tokens on a phone, revokes one; the list in English at 1366 px', async () => {
  const phone = await newContext(390);
  page = await newPage(phone, OFFICER.username);
  await login(page, OFFICER.username, OFFICER.newPassword);
  await go(page, '/account/tokens');
  assert.match(nfc(await page.locator('main').innerText()), /Bạn chưa có khóa truy cập nào/);
  const tokens = [];
  for (const name of ['Đồng bộ Sở Tài chính', 'Bảng tính của phòng']) {
    await page.fill('#f-name', name);
    await clickNav(page, page.locator('form.form button[type=submit]'));
    const secret = (await page.locator('.flash-success code').innerText()).trim();
    assert.match(secret, /^lnt_/);
    tokens.push(secret);
  }
  const me = (t) => page.request.get(abs('/api/v1/me'), { headers: { Authorization: `Bearer ${t}` } });
  assert.equal((await me(tokens[0])).status(), 200);
  const rows = page.locator('table.data-table tbody tr');
  assert.equal(await rows.count(), 2);
  // The first made is the second listed (newest first); revoke it.
  const row = rows.filter({ hasText: 'Đồng bộ Sở Tài chính' });
  await clickNav(page, row.locator('button[type=submit]'));
  assert.equal(pathOf(page), '/account/tokens');
  const text = nfc(await page.locator('body').innerText());
  assert.match(text, /Đã thu hồi khóa “Đồng bộ Sở Tài chính”/, text);
  assert.equal(await rows.filter({ hasText: 'Đồng bộ Sở Tài chính' }).locator('button').count(), 0);
  assert.equal((await me(tokens[0])).status(), 401, 'the revoked token is refused');
  assert.equal((await me(tokens[1])).status(), 200, 'the other still lets in');
  await checkA11y(page);
  await shot(page, `${PREFIX}-tokens-vi-390`);
  await phone.close();

  const wide = await newContext(1366, 'en-GB');
  page = await newPage(wide, OFFICER.username);
  await login(page, OFFICER.username, OFFICER.newPassword);
  await setLang(page, 'en');
  await go(page, '/account/tokens');
  const en = nfc(await page.locator('main').innerText());
  assert.match(en, /My tokens/);
  assert.match(en, /Revoked /);
  assert.match(en, /Last used/);
  await checkA11y(page);
  await shot(page, `${PREFIX}-tokens-en-1366`);
  await setLang(page, 'vi');
  await wide.close();
});
