// Journey 14 — the leader's pictures: the province
// overview, the Lào Cai plan's dashboard with its achievement chart beside its
// table, a chart download (CSV and SVG), in Vietnamese and English, at 1366
// and 390 px. Screenshots: target/screenshots/dash-*.png.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, shot, SCREENSHOT_DIR } from '../lib.mjs';
import { journey, laoCaiPlan, createUser } from '../daily.mjs';

const j = journey('dash');
let plan = null;

before(async () => {
  j.server = await startServer();
  j.browser = await launchBrowser();
});

after(async () => {
  await j.browser?.close();
  await j.server?.stop();
});

j.step('the admin opens the province overview from the menu', async () => {
  j.page = await j.newPage('admin');
  await j.login(j.page, j.server.username, j.server.password);
  await j.clickNav(j.page, j.page.locator('nav.main-nav a[href="/dashboard"]'));
  assert.equal(new URL(j.page.url()).pathname, '/dashboard');
  assert.ok(await j.page.locator('#programs-table').isVisible());
  await shot(j.page, 'dash-overview-vi-1366');
}, { critical: true });

j.step('the plan page leads to its dashboard: chart beside its table', async () => {
  plan = await laoCaiPlan(j, j.page);
  await j.go(j.page, `/programs/${plan}`);
  await j.clickNav(j.page, j.page.locator('#plan-dashboard'));
  assert.equal(new URL(j.page.url()).pathname, `/programs/${plan}/dashboard`);
  assert.ok(await j.page.locator('svg#chart-achievement').isVisible());
  assert.ok(await j.page.locator('#indicator-table tbody tr').first().isVisible());
  await shot(j.page, 'dash-program-vi-1366');
}, { critical: true });

j.step('the chart downloads as CSV and SVG', async () => {
  const [download] = await Promise.all([
    j.page.waitForEvent('download'),
    j.page.locator('#dl-achievement-csv').click(),
  ]);
  assert.match(download.suggestedFilename(), /achievement\.csv$/);
  const svg = await j.page.request.get(j.abs(`/programs/${plan}/dashboard/charts/achievement.svg`));
  assert.equal(svg.status(), 200);
  assert.match(svg.headers()['content-type'], /image\/svg\+xml/);
});

j.step('the trend across periods: a panel per indicator, the table beside, the downloads', async () => {
  await j.page.locator('#trend').scrollIntoViewIfNeeded();
  const panels = j.page.locator('#trend-panels svg.dash-panel');
  assert.ok((await panels.count()) > 3, 'several indicators have values over the periods');
  // Six six-monthly periods of plan 316 (H1 2023 … H2 2025), each a column of the table.
  assert.equal(await j.page.locator('#trend-table thead th.num').count(), 6);
  assert.match(j.nfc(await j.page.locator('#trend-table thead').textContent()), /6T\/2023/);
  // Sample periods are marked in the chart (hollow points) and the table (*).
  assert.ok((await j.page.locator('#trend-table thead abbr').count()) > 0);
  await j.page.locator('#trend').screenshot({ path: path.join(SCREENSHOT_DIR, 'dash-trend-vi-1366.png') });
  const csv = await j.page.request.get(j.abs(`/programs/${plan}/dashboard/charts/trend.csv`));
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /Dữ liệu mẫu/);
  const svg = await j.page.request.get(j.abs(`/programs/${plan}/dashboard/charts/trend.svg`));
  assert.match(await svg.text(), /^<svg /);
});

j.step('in English, and on a phone', async () => {
  await j.setLang(j.page, 'en');
  assert.match(j.nfc(await j.page.locator('h1').textContent()), /Dashboard/);
  await shot(j.page, 'dash-program-en-1366');
  await j.page.setViewportSize({ width: 390, height: 844 });
  await j.page.reload({ waitUntil: 'load' });
  await shot(j.page, 'dash-program-en-390');
  await j.page.locator('#trend').screenshot({ path: path.join(SCREENSHOT_DIR, 'dash-trend-en-390.png') });
  assert.match(j.nfc(await j.page.locator('#trend-table thead').textContent()), /H1 2023/);
  assert.deepEqual(await j.sideways(j.page), [], 'no sideways scroll at 390 px');
  await j.go(j.page, '/dashboard');
  await shot(j.page, 'dash-overview-en-390');
  assert.deepEqual(await j.sideways(j.page), [], 'overview: no sideways scroll at 390 px');
  await j.setLang(j.page, 'vi');
  await j.go(j.page, `/programs/${plan}/dashboard`);
  await shot(j.page, 'dash-program-vi-390');
  await j.page.setViewportSize({ width: 1366, height: 900 });
});

j.step('a Bát Xát district officer reads the plan of its province: its own unit only, the trend too', async () => {
  await createUser(j, j.page, {
    username: 'bx.dash', display: 'Lý Thị Mai', password: 'Huyện biên giới 2023',
    role: 'officer', agency: 'lc-ubnd-bat-xat', scope: '082',
  });
  const p = await j.newPage('bx');
  await j.login(p, 'bx.dash', 'Huyện biên giới 2023');
  await j.go(p, `/programs/${plan}/dashboard`);
  assert.match(j.nfc(await p.locator('#limited').textContent()), /Bát Xát/);
  // The units named (most behind, the units chart) are Bát Xát's only.
  const named = j.nfc(await p.locator('#reporting').textContent());
  assert.ok(!/Sa Pa|Bảo Thắng|Mường Khương|Bắc Hà/.test(named), `units named: ${named.slice(0, 400)}`);
  assert.ok((await p.locator('#trend-panels svg.dash-panel').count()) > 3, 'the trend of the plan');
  await shot(p, 'dash-program-bx-vi-1366');
  await p.locator('#reporting').screenshot({ path: path.join(SCREENSHOT_DIR, 'dash-reporting-bx-vi-1366.png') });
  await p.screenshot({ path: path.join(SCREENSHOT_DIR, 'dash-top-bx-vi-1366.png') });
  await j.setLang(p, 'en');
  await p.setViewportSize({ width: 390, height: 844 });
  await p.reload({ waitUntil: 'load' });
  assert.match(j.nfc(await p.locator('#limited').textContent()), /Bát Xát/);
  await shot(p, 'dash-program-bx-en-390');
  assert.deepEqual(await j.sideways(p), [], 'no sideways scroll at 390 px');
});

j.step('no script error on any page', async () => {
  assert.deepEqual(j.errors, []);
});
