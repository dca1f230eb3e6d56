// Journey 11 — places by name and registry pages for officials: the village
// filter's picker driven by the keyboard (type
// "y ty", arrow down, Enter), the same choice without JavaScript on the plain
// pick page, the village list filtered by "Lào Cai" with empty columns hidden,
// and a village page citing plan 316/KH-UBND. Desktop (1366) and phone (390),
// Vietnamese and English; screenshots target/screenshots/places-*.png.

import assert from 'node:assert/strict';
import { shot, checkA11y, nfc } from '../lib.mjs';
import { adminJourney } from '../harness.mjs';

const PREFIX = 'places';
const { step, newPage, setLang, abs, go } = adminJourney(PREFIX);

for (const width of [1366, 390]) {
  step(`picker by keyboard with JavaScript (${width})`, async () => {
    const page = await newPage({ width });
    await go(page, '/villages');
    const input = page.locator('#f-unit');
    assert.equal(await input.getAttribute('role'), 'combobox');
    await input.focus();
    await page.keyboard.type('y ty', { delay: 40 });
    const list = page.locator('#f-unit-listbox');
    await list.locator('[role=option]').first().waitFor();
    const options = (await list.locator('[role=option]').allTextContents()).map(nfc);
    const oldIdx = options.findIndex((o) => o.startsWith('Xã Y Tý — Huyện Bát Xát — Tỉnh Lào Cai (trước 1/7/2025)'));
    assert.ok(oldIdx >= 0, `old Y Tý offered: ${JSON.stringify(options)}`);
    assert.equal(await input.getAttribute('aria-expanded'), 'true');
    await shot(page, `places-picker-vi-${width}`);
    for (let i = 0; i < oldIdx; i += 1) await page.keyboard.press('ArrowDown');
    const activeId = await input.getAttribute('aria-activedescendant');
    assert.ok(activeId, 'an active option');
    await page.keyboard.press('Enter');
    assert.equal(await input.inputValue(), '02701');
    assert.equal(await page.locator('#f-as_of').inputValue(), '2025-06-30');
    assert.match(nfc(await page.locator('.place-chosen').textContent()), /Xã Y Tý — Huyện Bát Xát/);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('form.filters button[type=submit]').click()]);
    assert.match(nfc(await page.locator('.place-filtered').textContent()), /Lọc theo: Xã Y Tý — Huyện Bát Xát — Tỉnh Lào Cai/);
    await page.context().close();
  }, { critical: width === 1366 });
}

step('no-JS pick page: search "bat xat", choose, back on the filter', async () => {
  const page = await newPage({ width: 1366, js: false });
  await go(page, '/villages');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#f-unit-pick-hint').click()]);
  assert.equal(new URL(page.url()).pathname, '/admin-units/pick');
  await page.fill('#f-q', 'bat xat');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('main form button[type=submit]').click()]);
  const link = page.locator('ol.place-results a', { hasText: 'Huyện Bát Xát — Tỉnh Lào Cai (trước 1/7/2025)' }).first();
  await link.waitFor();
  await shot(page, 'places-pick-nojs-vi-1366');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
  const url = new URL(page.url());
  assert.equal(url.pathname, '/villages');
  assert.equal(url.searchParams.get('unit'), '082');
  assert.equal(url.searchParams.get('as_of'), '2025-06-30');
  assert.match(nfc(await page.locator('.place-filtered').textContent()), /Huyện Bát Xát/);
  await page.context().close();
});

for (const [lang, width] of [['vi', 1366], ['vi', 390], ['en', 1366], ['en', 390]]) {
  step(`village list by name and a cited village (${lang}, ${width})`, async () => {
    const page = await newPage({ width });
    if (lang === 'en') await setLang(page, 'en');
    await go(page, `/villages?unit=${encodeURIComponent('Lào Cai')}`);
    const body = nfc(await page.locator('main').textContent());
    assert.ok(!body.includes("mã 'Lào Cai'") && !body.includes('mã “Lào Cai”'), 'name accepted');
    const filtered = lang === 'vi' ? 'Lọc theo: Tỉnh Lào Cai (từ 1/7/2025)' : 'Filtered by: Tỉnh Lào Cai (since 1 Jul 2025)';
    assert.ok(body.includes(filtered), body.slice(0, 600));
    const heads = (await page.locator('table.data-table thead th').allTextContents()).map(nfc);
    assert.ok(!heads.some((h) => /lao động|Workers/i.test(h)), `empty columns hidden: ${heads}`);
    await shot(page, `places-villages-${lang}-${width}`);
    await checkA11y(page);
    await go(page, `/villages?unit=${encodeURIComponent('lao cai')}&q=${encodeURIComponent('rượu thóc')}`);
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('table.data-table a', { hasText: 'rượu thóc Làng Mới' }).first().click(),
    ]);
    const cite = nfc(await page.locator('cite.citation').first().textContent());
    assert.equal(cite, lang === 'vi' ? 'Kế hoạch 316/KH-UBND, mục II.2.a' : 'Plan 316/KH-UBND, section II.2.a');
    await shot(page, `places-village-${lang}-${width}`);
    await page.context().close();
  });
}
