// Journey 13 — the map. A leader opens the map
// (today's 34 provinces), switches to the 63 provinces before 1 July 2025,
// clicks Lào Cai (zoomed, its villages as points), clicks a village point
// (its page), and reads the same map in English. Phone width too. Screenshots
// `map-*` at 1366 and 390 px.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, shot } from '../lib.mjs';
import { journey } from '../daily.mjs';

const j = journey('map');

before(async () => {
  j.server = await startServer();
  j.browser = await launchBrowser();
});

after(async () => {
  await j.browser?.close();
  await j.server?.stop();
  assert.deepEqual(j.errors, [], 'no script errors');
});

const provinces = (p) => p.locator('svg.map-svg path.map-prov').count();

/** Click a province's shape where no village point covers it, as a person would. */
async function clickProvince(p, code) {
  const spot = await p.evaluate((c) => {
    const path = document.querySelector(`a.map-prov-link[data-code="${c}"] path`);
    path.scrollIntoView({ block: 'center' });
    const r = path.getBoundingClientRect();
    for (let i = 1; i < 20; i += 1) {
      for (let k = 1; k < 20; k += 1) {
        const x = r.x + (r.width * i) / 20;
        const y = r.y + (r.height * k) / 20;
        if (document.elementFromPoint(x, y) === path) return { x, y };
      }
    }
    return null;
  }, code);
  assert.ok(spot, `a free spot on province ${code}`);
  await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.mouse.click(spot.x, spot.y)]);
}

async function shots(p, name) {
  await p.setViewportSize({ width: 1366, height: 900 });
  await shot(p, `map-${name}-1366`);
  await p.setViewportSize({ width: 390, height: 844 });
  await p.reload({ waitUntil: 'load' });
  await shot(p, `map-${name}-390`);
  const wide = await j.sideways(p);
  await p.setViewportSize({ width: 1366, height: 900 });
  assert.deepEqual(wide, [], `${name} scrolls sideways at 390 px`);
}

j.step('the map opens from the menu with the 34 provinces of today', async () => {
  j.page = await j.newPage('admin');
  await j.login(j.page, j.server.username, j.server.password);
  await j.clickNav(j.page, j.page.locator('nav.main-nav a[href="/map"]'));
  assert.equal(await provinces(j.page), 34);
  assert.ok((await j.page.locator('svg.map-svg circle.map-pt').count()) > 0, 'villages drawn as points');
  // The data table lists every province with its figure.
  assert.equal(await j.page.locator('table.map-table tbody tr').count(), 34);
  await shots(j.page, 'new-vi');
}, { critical: true });

j.step('switching to before 1/7/2025 draws the 63 provinces (the URL says so)', async () => {
  await j.clickNav(j.page, j.page.locator('#map-other-era'));
  assert.match(j.page.url(), /era=old/);
  assert.equal(await provinces(j.page), 63);
  await shots(j.page, 'old-vi');
}, { critical: true });

j.step('clicking Lào Cai zooms to it and shows its villages and figure', async () => {
  await clickProvince(j.page, '10');
  assert.match(j.page.url(), /province=10/);
  assert.match(j.nfc(await j.page.locator('h1').textContent()), /Lào Cai/);
  const row = j.page.locator('table.map-table tr.selected');
  assert.match(j.nfc(await row.textContent()), /Lào Cai/);
  await shots(j.page, 'laocai-vi');
}, { critical: true });

j.step('clicking a village point opens the village page', async () => {
  // The first point not hidden under another one.
  const spot = await j.page.evaluate(() => {
    for (const c of document.querySelectorAll('svg.map-svg a.map-pt-link circle')) {
      c.scrollIntoView({ block: 'center' });
      const r = c.getBoundingClientRect();
      const x = r.x + r.width / 2;
      const y = r.y + r.height / 2;
      if (document.elementFromPoint(x, y) === c) return { x, y, href: c.parentElement.getAttribute('href') };
    }
    return null;
  });
  assert.ok(spot, 'a village point in view');
  assert.match(spot.href, /^\/villages\/\d+$/);
  await Promise.all([j.page.waitForNavigation({ waitUntil: 'load' }), j.page.mouse.click(spot.x, spot.y)]);
  assert.equal(new URL(j.page.url()).pathname, spot.href);
});

j.step('the map in English, desktop and phone', async () => {
  await j.go(j.page, '/map?era=new&measure=recognised&points=environment');
  await j.setLang(j.page, 'en');
  assert.match(j.nfc(await j.page.locator('h1').textContent()), /Craft village map/);
  assert.match(j.nfc(await j.page.locator('.map-side').textContent()), /Legend/);
  await shots(j.page, 'new-en');
  // A bad measure in the URL: the page names the field, keeps the rest.
  await j.go(j.page, '/map?era=old&measure=households');
  assert.match(j.nfc(await j.page.locator('.error-summary').textContent()), /households/);
  await j.setLang(j.page, 'vi');
});
