// Journey 12 — a demo that lives: `serve --demo` opens
// with a reporting history for plan 316/KH-UBND (H1 2023 … H2 2025) and the
// khuyến công programme 2016-2020, every period marked "Dữ liệu mẫu" /
// "Sample data": the plan's periods, a consolidation and a report page show
// the badge and the note, at 1366 and 390 px, in Vietnamese and English (a
// second start changing nothing is checked by the integration test
// demo_history_is_idempotent_mixed_and_marked_sample). Screenshots:
// target/screenshots/demo-*.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { startServer, launchBrowser, shot, checkA11y, nfc, SCREENSHOT_DIR } from '../lib.mjs';

/** The first screen only (long pages on a phone are thousands of pixels tall). */
async function vshot(p, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await p.screenshot({ path: file, fullPage: false });
  return file;
}

const PREFIX = 'demo';
let server;
let browser;
let page;
let broken = null;
let programPath = null;
let latestPeriod = null;
let returnedReport = null;

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

async function setLang(p, lang) {
  const menu = p.locator('label.nav-toggle-label');
  if (await menu.isVisible()) await menu.click();
  await clickNav(p, p.locator(`form.lang-switch button[value=${lang}]`));
}

async function sideways(p) {
  return p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

async function api(p, rel) {
  const r = await p.request.get(abs(rel), { headers: { accept: 'application/json' } });
  assert.equal(r.status(), 200, `${rel}: ${await r.text()}`);
  return r.json();
}

/** Each page at both widths, with the badge or note checked. */
async function both(p, rel, name, lang, check) {
  for (const width of [1366, 390]) {
    await p.setViewportSize({ width, height: width < 600 ? 844 : 900 });
    await go(p, rel);
    await check();
    assert.ok(await sideways(p) <= 1, `${rel} scrolls sideways at ${width} px`);
    await shot(p, `${PREFIX}-${name}-${lang}-${width}`);
    await vshot(p, `${PREFIX}-${name}-${lang}-${width}-top`);
  }
  await p.setViewportSize({ width: 1366, height: 900 });
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'vi-VN', viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

step('1. the plan has six sample periods H1 2023 … H2 2025, the latest partly in', async () => {
  await go(page, '/login');
  await page.fill('input[name=username]', server.username);
  await page.fill('input[name=password]', server.password);
  await clickNav(page, page.locator('button[type=submit]'));
  await go(page, '/programs?q=316');
  await clickNav(page, page.locator('table.data-table tbody tr', { hasText: '316/KH-UBND' }).first().locator('a').first());
  programPath = pathOf(page);
  const id = programPath.split('/').pop();
  const periods = await api(page, `/api/v1/programs/${id}/periods`);
  assert.equal(periods.length, 6, JSON.stringify(periods.map((p) => p.label)));
  assert.ok(periods.every((p) => p.sample === true), 'every demo period is sample data');
  const latest = periods.find((p) => p.kind === 'annual' && p.year === 2025);
  assert.ok(latest, 'H2 2025');
  latestPeriod = latest.id;
  assert.ok(latest.submitted < latest.reports, `the latest period is partly in: ${latest.submitted}/${latest.reports}`);
  const reports = await api(page, `/api/v1/reports?period_id=${latest.id}&limit=500`);
  const ret = reports.items.find((r) => r.state === 'returned');
  assert.ok(ret && ret.return_reason, 'one report returned with a reason');
  assert.equal(ret.sample, true);
  returnedReport = ret.id;
}, { critical: true });

for (const lang of ['vi', 'en']) {
  const word = lang === 'vi' ? 'Dữ liệu mẫu' : 'Sample data';
  step(`2. ${lang}: periods, consolidation and report carry the sample mark at 1366 and 390 px`, async () => {
    if (lang === 'en') await setLang(page, 'en');
    await both(page, `${programPath}/periods`, 'periods', lang, async () => {
      const badges = page.locator('table.data-table .badge-sample');
      assert.equal(await badges.count(), 6, 'a badge on every period');
      assert.equal(nfc(await badges.first().innerText()).toLowerCase(), word.toLowerCase());
    });
    await checkA11y(page);
    await both(page, `/periods/${latestPeriod}`, 'period', lang, async () => {
      assert.ok(nfc(await page.locator('#sample-note').innerText()).toLowerCase().includes(word.toLowerCase()));
      const late = await page.locator('#timeliness .badge-red').count();
      assert.ok(late >= 1, 'some units are late or overdue');
    });
    await both(page, `${programPath}/consolidation?period=${latestPeriod}`, 'consolidation', lang, async () => {
      assert.ok(await page.locator('#sample-note').isVisible(), 'note on the consolidation');
      assert.ok(await page.locator('#coverage .badge-orange').count(), 'the consolidation is provisional');
    });
    await checkA11y(page);
    await both(page, `/reports/${returnedReport}`, 'report', lang, async () => {
      assert.ok(await page.locator('#sample-note').isVisible(), 'note on the report');
      assert.ok(await page.locator('#return-reason').isVisible(), 'the reason it was returned');
    });
    if (lang === 'en') await setLang(page, 'vi');
  });
}
