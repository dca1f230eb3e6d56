// Journey 09 — a plan page that reads and a consolidation that cannot mislead
// the Lào Cai plan 316 with its table of
// contents and its assignment matrix (agency short names, first column fixed)
// at 1366 and 390 px; opening a past-due period asks for confirmation and the
// period page says so; the consolidation states its coverage, names the units
// not yet approved and marks verdicts provisional, at 1366 and 390 px, in
// Vietnamese and English. Screenshots: target/screenshots/consol-*.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { startServer, launchBrowser, shot, checkA11y, nfc, SCREENSHOT_DIR } from '../lib.mjs';

/** A screenshot of the viewport only (the plan page is very long). */
async function vshot(p, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await p.screenshot({ path: file, fullPage: false });
  return file;
}

const PREFIX = 'consol';
let server;
let browser;
let page;
let broken = null;
let programPath = null;
let consolidationPath = null;

const pathOf = (p) => new URL(p.url()).pathname;
const abs = (rel) => new URL(rel, server.url).href;
const go = (p, rel) => p.goto(abs(rel), { waitUntil: 'load' });

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
          const file = await shot(page, `${PREFIX}-FAILED-${name.slice(0, 40)}`);
          err.message += `\n(page: ${page.url()}; screenshot: ${file})`;
        } catch { /* page may be gone */ }
      }
      throw err;
    }
  });
}

async function clickNav(p, locator) {
  await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
}

/** Page width beyond the viewport (0 when nothing scrolls sideways). */
async function sideways(p) {
  return p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

async function atWidth(p, width, fn) {
  await p.setViewportSize({ width, height: width < 600 ? 844 : 900 });
  try {
    await fn();
  } finally {
    await p.setViewportSize({ width: 1366, height: 900 });
  }
}

async function setLang(p, lang) {
  await clickNav(p, p.locator(`form.lang-switch button[value=${lang}]`));
}

before(async () => {
  server = await startServer({ extraArgs: ['--demo-no-history'] }); // opens the 2023 periods itself
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'vi-VN', viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

step('1. the plan page: table of contents and the assignment matrix at 1366 and 390 px', async () => {
  await go(page, '/login');
  await page.fill('input[name=username]', server.username);
  await page.fill('input[name=password]', server.password);
  await clickNav(page, page.locator('button[type=submit]'));
  await go(page, '/programs?q=316');
  await clickNav(page, page.locator('table.data-table tbody tr', { hasText: '316/KH-UBND' }).first().locator('a').first());
  programPath = pathOf(page);
  assert.match(programPath, /^\/programs\/\d+$/);

  const toc = page.locator('#plan-toc');
  assert.ok(await toc.isVisible(), 'no visible table of contents (#plan-toc)');
  const entries = (await toc.locator('a').allInnerTexts()).map(nfc);
  assert.deepEqual(entries, ['Thông tin', 'Mục tiêu', 'Chỉ tiêu', 'Nhiệm vụ', 'Phân công', 'Kinh phí', 'Phụ biểu', 'Kỳ báo cáo']);
  const tocPos = await toc.evaluate((e) => getComputedStyle(e).position);
  assert.equal(tocPos, 'sticky', 'the table of contents stays in view on a wide screen');
  const heads = await page.locator('table.task-matrix thead th abbr').evaluateAll((as) => as.map((a) => ({ short: a.textContent.trim(), full: a.title })));
  assert.ok(heads.length >= 5, `matrix agency columns: ${JSON.stringify(heads)}`);
  assert.ok(heads.every((h) => h.short && h.full && !/^\d+$/.test(h.short)), `matrix headers are short names with a title: ${JSON.stringify(heads)}`);
  const first = page.locator('table.task-matrix tbody th.matrix-first').first();
  assert.equal(await first.evaluate((e) => getComputedStyle(e).position), 'sticky', 'the task column is fixed');
  assert.equal(await sideways(page), 0, 'the plan page scrolls sideways at 1366 px');
  // Split targets carry their year.
  const ind = nfc(await page.locator('#indicators').innerText());
  assert.ok(ind.includes('2025 — LN: 11') && ind.includes('2030 — LN: 8'), 'split targets without their year');
  await vshot(page, `${PREFIX}-plan-1366-vi`);
  await page.locator('#plan-toc a[href="#assignment"]').click();
  await page.waitForTimeout(300);
  // Scroll the matrix sideways: the first column stays put.
  const wrap = page.locator('#assignment .matrix-wrap');
  const before = await first.boundingBox();
  await wrap.evaluate((e) => { e.scrollLeft = 400; });
  const afterBox = await first.boundingBox();
  assert.ok(Math.abs(before.x - afterBox.x) < 2, `the task column moved from ${before.x} to ${afterBox.x}`);
  await vshot(page, `${PREFIX}-plan-matrix-1366-vi`);
  await checkA11y(page);

  await atWidth(page, 390, async () => {
    await go(page, programPath);
    assert.ok(await sideways(page) <= 1, `the plan page scrolls sideways at 390 px by ${await sideways(page)} px`);
    await vshot(page, `${PREFIX}-plan-390-vi`);
    await page.locator('#plan-toc a[href="#assignment"]').click();
    await page.waitForTimeout(300);
    const box = await page.locator('#assignment .matrix-wrap').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 391, `the matrix box leaves the screen: ${JSON.stringify(box)}`);
    await vshot(page, `${PREFIX}-plan-matrix-390-vi`);
  });
}, { critical: true });

step('2. opening a past-due period asks for confirmation; the period page says so', async () => {
  await go(page, `${programPath}/periods`);
  const form = page.locator('#open form');
  await form.locator('#f-kind').selectOption('first_half');
  await form.locator('#f-year').fill('2023');
  await clickNav(page, form.locator('button[type=submit]'));
  const links = await page.locator('.error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['#f-confirm_past_due'], `error summary links ${JSON.stringify(links)}`);
  await shot(page, `${PREFIX}-period-confirm-vi`);
  await page.check('#f-confirm_past_due');
  await clickNav(page, page.locator('#open form button[type=submit]'));
  assert.match(pathOf(page), /^\/periods\/\d+$/, `not on the period page: ${page.url()}`);
  const late = nfc(await page.locator('#opened-late').innerText());
  assert.match(late, /mở sau hạn gửi báo cáo/, `period page: "${late}"`);
  await shot(page, `${PREFIX}-period-late-vi`);
  await clickNav(page, page.locator('.page-header a', { hasText: 'Xem báo cáo tổng hợp' }));
  consolidationPath = `${pathOf(page)}${new URL(page.url()).search}`;
}, { critical: true });

step('3. the consolidation states coverage and names the missing units, 1366 and 390 px, vi and en', async () => {
  await go(page, consolidationPath);
  const h = nfc(await page.locator('#coverage h2').innerText());
  const m = /^0\/(\d+) đơn vị đã được duyệt$/.exec(h);
  assert.ok(m, `coverage heading "${h}"`);
  const missing = await page.locator('#missing-units li').count();
  assert.equal(missing, Number(m[1]), 'every unit not approved is named');
  const i21 = page.locator('#consolidation tbody tr').filter({ has: page.locator('td.consol-code', { hasText: /^I\.2\.1$/ }) }).first();
  assert.match(nfc(await i21.innerText()), /So sánh theo từng loại/);
  assert.match(nfc(await i21.innerText()), /2025 — LN: 11, NTT: 21, LNTT: 13; 2030 — LN: 8/);
  await shot(page, `${PREFIX}-consolidation-1366-vi`);
  await checkA11y(page);

  await atWidth(page, 390, async () => {
    await go(page, consolidationPath);
    assert.ok(await sideways(page) <= 1, `the consolidation scrolls sideways at 390 px by ${await sideways(page)} px`);
    // Code, name, value, target and achievement of a line are on screen.
    const row = page.locator('#consolidation tbody tr').nth(1);
    for (const sel of ['td.consol-code', 'td.consol-name', 'td:nth-child(4)', 'td:nth-child(6)', 'td:nth-child(7)']) {
      const b = await row.locator(sel).boundingBox();
      assert.ok(b && b.x >= 0 && b.x + b.width <= 391, `${sel} is off-screen at 390 px: ${JSON.stringify(b)}`);
    }
    await vshot(page, `${PREFIX}-consolidation-390-vi`);
      await page.locator('#consolidation').scrollIntoViewIfNeeded();
      await vshot(page, `${PREFIX}-consolidation-390-vi-table`);
  });

  await setLang(page, 'en');
  try {
    await go(page, consolidationPath);
    const he = nfc(await page.locator('#coverage h2').innerText());
    assert.match(he, /^0 of \d+ units approved$/, `English coverage "${he}"`);
    assert.match(nfc(await page.locator('#coverage').innerText()), /provisional/);
    await shot(page, `${PREFIX}-consolidation-1366-en`);
    await atWidth(page, 390, async () => {
      await go(page, consolidationPath);
      assert.ok(await sideways(page) <= 1, 'the English consolidation scrolls sideways at 390 px');
      await vshot(page, `${PREFIX}-consolidation-390-en`);
      await page.locator('#consolidation').scrollIntoViewIfNeeded();
      await vshot(page, `${PREFIX}-consolidation-390-en-table`);
      await go(page, programPath);
      await vshot(page, `${PREFIX}-plan-390-en`);
    });
    await go(page, programPath);
    const entries = (await page.locator('#plan-toc a').allInnerTexts()).map(nfc);
    assert.deepEqual(entries, ['Information', 'Objectives', 'Indicators', 'Tasks', 'Assignment', 'Budget', 'Appendix', 'Reporting periods']);
    await vshot(page, `${PREFIX}-plan-1366-en`);
  } finally {
    await setLang(page, 'vi');
  }
});
