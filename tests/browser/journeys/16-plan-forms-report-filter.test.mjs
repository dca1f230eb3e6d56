import assert from 'node:assert/strict';
import { shot, checkA11y, nfc, SCREENSHOT_DIR } from '../lib.mjs';
import path from 'node:path';
import { adminJourney } from '../harness.mjs';

const PREFIX = 'forms2';
const { step, newPage, setLang, abs, go } = adminJourney(PREFIX);


async function planId(page) {
  const r = await page.request.get(abs('/api/v1/programs?q=316&limit=10'));
  const list = await r.json();
  const p = list.items.find((x) => x.key === 'lc-316-2022');
  assert.ok(p, 'plan 316 in the demo');
  return p.id;
}

for (const [lang, width] of [['vi', 1366], ['vi', 390], ['en', 1366], ['en', 390]]) {
  step(`plan inline form keeps typing, summary focused (${lang}, ${width})`, async () => {
    const page = await newPage({ width });
    await setLang(page, lang);
    const id = await planId(page);
    await go(page, `/programs/${id}#tasks`);
    const form = page.locator(`form[action="/programs/${id}/tasks"]`);
    await page.locator('#tasks details.add-form > summary').click();
    await form.locator('#f-t-section').fill('II.9');
    await form.locator('#f-t-text').fill('Xây dựng nhãn hiệu chè Y Tý');
    await form.locator('#f-t-due').fill('31/02/2026');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
    const summary = page.locator('#task-errors');
    await summary.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'task-errors', 'the summary has focus');
    const text = nfc(await summary.textContent());
    assert.match(text, lang === 'vi' ? /Hạn:/ : /Due:/);
    assert.ok(!/error-/.test(text), `no raw key: ${text}`);
    assert.equal(await page.locator('#f-t-text').inputValue(), 'Xây dựng nhãn hiệu chè Y Tý');
    assert.equal(await page.locator('#f-t-due').inputValue(), '31/02/2026');
    assert.equal(await page.locator('#f-t-due').getAttribute('aria-invalid'), 'true');
    await shot(page, `forms2-plan-task-${lang}-${width}`);
    await page.locator('#tasks details.add-form').screenshot({ path: path.join(SCREENSHOT_DIR, `forms2-plan-task-form-${lang}-${width}.png`) });
    // The summary's link takes focus to the field.
    await summary.locator('a[href="#f-t-due"]').click();
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'f-t-due');
    await checkA11y(page);
    await page.context().close();
  }, { critical: lang === 'vi' && width === 1366 });
}

for (const [lang, width] of [['vi', 1366], ['vi', 390], ['en', 1366], ['en', 390]]) {
  step(`reports filtered by typing "Bát Xát" (${lang}, ${width})`, async () => {
    const page = await newPage({ width });
    await setLang(page, lang);
    await go(page, '/reports');
    const input = page.locator('#f-unit');
    await input.focus();
    await page.keyboard.type('Bát Xát', { delay: 30 });
    await page.locator('#f-unit-listbox [role=option]').first().waitFor();
    await shot(page, `forms2-reports-picker-${lang}-${width}`);
    await page.locator('#f-unit-listbox [role=option]', { hasText: 'Huyện Bát Xát' }).first().click();
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('form.filters > button').click()]);
    const filtered = nfc(await page.locator('.place-filtered').textContent());
    assert.match(filtered, /Huyện Bát Xát/, filtered);
    const units = (await page.locator('table.data-table tbody tr td:first-child').allTextContents()).map(nfc);
    assert.ok(units.every((u) => /Bát Xát/.test(u)), JSON.stringify(units));
    await shot(page, `forms2-reports-${lang}-${width}`);
    // A name of several units: the error beside the field, what was typed kept.
    await go(page, `/reports?unit=${encodeURIComponent('Tân Thịnh')}`);
    await page.locator('.error-summary').waitFor();
    assert.equal(await page.locator('#f-unit').inputValue(), 'Tân Thịnh');
    await shot(page, `forms2-reports-ambiguous-${lang}-${width}`);
    await checkA11y(page);
    await page.context().close();
  });
}
