// Journey 01 — foundation: login, language switch, administrative units
// (historic and current), search, unit detail, logout.
//
// One server and one browser page for the whole file; the steps run in order.
// If a critical step (getting logged in) fails, the later ones are skipped;
// other failures are reported and the journey goes on.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, shot, checkA11y, nfc, SCREENSHOT_DIR } from '../lib.mjs';

let server;
let browser;
let page;
let broken = null; // name of the failed critical step
const pageErrors = [];


const pathOf = (p) => new URL(p.url()).pathname;
const go = (p, rel) => p.goto(new URL(rel, server.url).href, { waitUntil: 'load' });

/** A journey step: skipped after a failed critical step; on failure saves a screenshot. */
function step(name, fn, { critical = false } = {}) {
  test(name, async (t) => {
    if (broken) {
      t.skip(`earlier step failed: ${broken}`);
      return;
    }
    try {
      await fn(t);
    } catch (err) {
      if (critical) broken = name;
      if (page) {
        try {
          const file = await shot(page, `foundation-FAILED-${name.slice(0, 40)}`);
          err.message += `\n(page: ${page.url()}; screenshot: ${file})`;
        } catch { /* page may be gone */ }
      }
      throw err;
    }
  });
}

/** Visible text of the main data table (or of <main> if there is no table). */
async function tableText(p) {
  const table = p.locator('table.data-table');
  if (await table.count()) return nfc((await table.allInnerTexts()).join('\n'));
  return '';
}

async function countText(p) {
  const c = p.locator('.count');
  return (await c.count()) ? nfc(await c.first().innerText()) : '(no .count element)';
}

/** True if `text` contains the number n as a whole number (63 in "1-50 / 63", not in "630"). */
function mentionsNumber(text, n) {
  return new RegExp(`(^|[^\\d.,])${n}($|[^\\d.,]|[.,](?!\\d))`).test(text);
}

async function pageInfo(p) {
  const i = p.locator('.pagination .page-info');
  return (await i.count()) ? nfc(await i.first().innerText()) : '(no pagination)';
}

before(async () => {
  try {
    for (const f of readdirSync(SCREENSHOT_DIR)) {
      if (f.startsWith('foundation-FAILED-')) rmSync(path.join(SCREENSHOT_DIR, f));
    }
  } catch { /* no screenshots yet */ }
  server = await startServer();
  browser = await launchBrowser();
  const context = await browser.newContext({
    locale: 'vi-VN',
    viewport: { width: 1280, height: 900 },
  });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
});

after(async () => {
  if (pageErrors.length) {
    console.log(`# JavaScript errors seen during the journey:\n#   ${pageErrors.join('\n#   ')}`);
  }
  await browser?.close().catch(() => {});
  await server?.stop();
});

step('an anonymous visit to / is redirected to /login', async () => {
  await go(page, '/');
  assert.equal(pathOf(page), '/login', `expected /login, got ${page.url()}`);
  for (const sel of ['input[name=username]', 'input[name=password]', 'button[type=submit]']) {
    assert.ok(await page.locator(sel).count(), `login page has no ${sel}`);
  }
}, { critical: true });

step('a wrong password shows an error and stays on /login', async () => {
  await page.fill('input[name=username]', server.username);
  await page.fill('input[name=password]', `${server.password}-wrong`);
  await page.click('button[type=submit]');
  await page.locator('.error-summary, .flash-error').first()
    .waitFor({ state: 'visible', timeout: 10_000 })
    .catch(() => { throw new Error('no visible .error-summary or .flash-error after a wrong password'); });
  assert.equal(pathOf(page), '/login', `expected to stay on /login, got ${page.url()}`);
  await shot(page, 'foundation-00-login-error');
}, { critical: true });

step('the right password lands on / with a heading', async () => {
  await page.fill('input[name=username]', server.username);
  await page.fill('input[name=password]', server.password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/', { timeout: 15_000 })
    .catch(() => { throw new Error(`expected to land on / after login, got ${page.url()}`); });
  const h1 = page.locator('h1').first();
  await h1.waitFor({ state: 'visible' });
  assert.ok(nfc(await h1.innerText()).length > 0, 'the h1 on / is empty');
  await shot(page, 'foundation-01-home');
  await checkA11y(page);
}, { critical: true });

step('the language switch changes <html lang> to en and back to vi', async () => {
  await page.click('.lang-switch button[value=en]');
  await page.locator('html[lang=en]').waitFor({ state: 'attached', timeout: 10_000 })
    .catch(async () => {
      throw new Error(`html[lang] is "${await page.getAttribute('html', 'lang')}" after clicking EN (expected "en")`);
    });
  assert.equal(await page.getAttribute('.lang-switch button[value=en]', 'aria-pressed'), 'true',
    'after switching to EN, .lang-switch button[value=en] should have aria-pressed="true"');

  await page.click('.lang-switch button[value=vi]');
  await page.locator('html[lang=vi]').waitFor({ state: 'attached', timeout: 10_000 })
    .catch(async () => {
      throw new Error(`html[lang] is "${await page.getAttribute('html', 'lang')}" after clicking VI (expected "vi")`);
    });
  assert.equal(await page.getAttribute('.lang-switch button[value=vi]', 'aria-pressed'), 'true',
    'after switching to VI, .lang-switch button[value=vi] should have aria-pressed="true"');
});

step('provinces on 2017-01-01: 63, including Lào Cai and Yên Bái', async () => {
  await go(page, '/admin-units?level=province&as_of=2017-01-01');
  const text = await tableText(page);
  const count = await countText(page);
  const where = `(.count: "${count}"; pagination: "${await pageInfo(page)}")`;
  assert.ok(text, `no table.data-table on ${page.url()}`);
  assert.ok(text.includes('Tỉnh Lào Cai'), `table does not list "Tỉnh Lào Cai" ${where}`);
  assert.ok(text.includes('Tỉnh Yên Bái'), `table does not list "Tỉnh Yên Bái" ${where}`);
  assert.ok(mentionsNumber(count, 63), `.count should show 63, shows "${count}"`);
  await shot(page, 'foundation-02-provinces-2017');
});

step('provinces today: 34, Lào Cai but no Yên Bái', async () => {
  await go(page, '/admin-units?level=province');
  const text = await tableText(page);
  const count = await countText(page);
  const where = `(.count: "${count}"; pagination: "${await pageInfo(page)}")`;
  assert.ok(text, `no table.data-table on ${page.url()}`);
  assert.ok(text.includes('Tỉnh Lào Cai'), `table does not list "Tỉnh Lào Cai" ${where}`);
  assert.ok(!text.includes('Tỉnh Yên Bái'), `table still lists "Tỉnh Yên Bái" today ${where}`);
  assert.ok(mentionsNumber(count, 34), `.count should show 34, shows "${count}"`);
  await shot(page, 'foundation-03-provinces-today');
});

step('searching "bat trang" among communes finds Xã Bát Tràng and opens its detail', async () => {
  // Normally we are still on the province list; start there if a step before failed elsewhere.
  if (pathOf(page) !== '/admin-units') await go(page, '/admin-units?level=province');
  const form = page.locator('form.filters');
  assert.ok(await form.count(), `no form.filters on ${page.url()}`);
  await form.locator('input[name=q]').fill('bat trang');
  await form.locator('select[name=level]').selectOption('commune');
  const submit = form.locator('button:not([type=button]):not([type=reset]), input[type=submit]').first();
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get('q') !== null, { timeout: 15_000 }),
    submit.click(),
  ]);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('level'), 'commune', `level not carried in the URL: ${page.url()}`);

  const row = page.locator('table.data-table tbody tr', { hasText: 'Xã Bát Tràng' }).first();
  if (!(await row.count())) {
    throw new Error(`no table row containing "Xã Bát Tràng" after searching (.count: "${await countText(page)}"; table: "${(await tableText(page)).slice(0, 400)}")`);
  }
  const link = row.locator('a').first();
  assert.ok(await link.count(), 'the "Xã Bát Tràng" row has no link');
  await link.click();
  await page.waitForURL((u) => u.href !== url.href, { timeout: 15_000 });

  const h1 = nfc(await page.locator('h1').first().innerText());
  assert.ok(h1.includes('Bát Tràng'), `detail page h1 is "${h1}", expected it to contain "Bát Tràng"`);

  // A predecessors / successors section: a heading (or labelled block) naming it.
  const lineage = /predecessor|successor|tiền thân|kế thừa|kế nhiệm|trước (khi )?sắp xếp|sau (khi )?sắp xếp|đơn vị trước|đơn vị sau|trước đây|sáp nhập|hợp nhất|chia tách|lịch sử/i;
  const headings = (await page.locator('main h2, main h3, main h4, main caption, main dt, main th[scope=row]').allInnerTexts()).map(nfc);
  const hooks = await page.locator('[id*=predecessor], [id*=successor], [class*=predecessor], [class*=successor], [data-section*=predecessor], [data-section*=successor]').count();
  assert.ok(headings.some((h) => lineage.test(h)) || hooks > 0,
    `no predecessors/successors section on ${page.url()}; headings: ${JSON.stringify(headings)}`);

  await shot(page, 'foundation-04-bat-trang');
  await checkA11y(page);
});

step('logging out returns to /login and / is protected again', async () => {
  await page.click('form.logout button');
  await page.waitForURL((u) => u.pathname === '/login', { timeout: 15_000 })
    .catch(() => { throw new Error(`expected /login after logout, got ${page.url()}`); });
  await go(page, '/');
  assert.equal(pathOf(page), '/login', `after logout / should redirect to /login, got ${page.url()}`);
});
