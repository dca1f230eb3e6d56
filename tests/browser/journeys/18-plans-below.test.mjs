// Journey 18 — the national programme and the plans under it: the administrator
// enters Programme 801/QĐ-TTg (with indicator I.2.1, the code Lào Cai's plan uses),
// puts plan 316/KH-UBND under it in the plan's form, and opens "Kế hoạch cấp dưới":
// Lào Cai's figure of I.2.1 in each period. A viewer of Lào Cai sees the same row;
// a viewer of Hà Nội sees the programme but no plan of another province. In
// Vietnamese and English, at 1366 px and on a 390 px phone, with no sideways
// scrolling of the page. Screenshots target/screenshots/below-*.png.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, shot, checkA11y } from '../lib.mjs';
import { journey, createUser, laoCaiPlan } from '../daily.mjs';

const j = journey('below');
const { step } = j;
const LC = { username: 'xem.laocai', display: 'Lãnh đạo Sở Công Thương Lào Cai', password: 'Lao Cai 2026 xem số liệu', role: 'viewer', agency: 'lc-so-ct', scope: '15' };
const HN = { username: 'xem.hanoi', display: 'Lãnh đạo Sở Công Thương Hà Nội', password: 'Ha Noi 2026 xem số liệu', role: 'viewer', agency: 'hn-so-ct', scope: '01' };
let admin;
let national = null;
let plan = null;
let ministry = null;

before(async () => {
  j.server = await startServer();
  j.browser = await launchBrowser();
  admin = await j.newPage('admin');
});
after(async () => {
  if (j.errors.length) console.log(`# JavaScript errors:\n#   ${j.errors.join('\n#   ')}`);
  await j.browser?.close().catch(() => {});
  await j.server?.stop();
  assert.deepEqual(j.errors, [], 'no JavaScript errors');
});

/** The page never scrolls sideways (wide tables scroll inside their frame). */
async function noSidewaysScroll(p) {
  const [scroll, inner] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner + 1, `page scrolls sideways: ${scroll} > ${inner}`);
}

step('1. the administrator enters the national programme and its indicator', async () => {
  j.page = admin;
  await j.login(admin, j.server.username, j.server.password);
  plan = await laoCaiPlan(j, admin);
  // The ministry that leads the national programme (the demo holds provinces' agencies).
  ministry = await j.api(admin, 'POST', '/api/v1/agencies', {
    name: 'Bộ Nông nghiệp và Môi trường', short_name: 'Bộ NN&MT', kind: 'other',
    admin_unit_code: 'VN', admin_unit_as_of: '2025-07-01',
  });
  assert.equal(ministry.status, 201, ministry.text.slice(0, 300));
  await j.go(admin, '/programs/new');
  await admin.fill('#f-code', '801/QĐ-TTg');
  await admin.fill('#f-title', 'Chương trình bảo tồn và phát triển làng nghề Việt Nam');
  await admin.selectOption('#f-kind', 'programme');
  await admin.fill('#f-period_start', '01/01/2022');
  await admin.fill('#f-period_end', '31/12/2030');
  await admin.selectOption('#f-lead_agency', String(ministry.json.id));
  await j.clickNav(admin, admin.locator('form.form button[type=submit]'));
  const m = new URL(admin.url()).pathname.match(/^\/programs\/(\d+)$/);
  assert.ok(m, `landed on ${admin.url()}`);
  national = Number(m[1]);
  const r = await j.api(admin, 'POST', `/api/v1/programs/${national}/indicators`, {
    code: 'I.2.1', name: 'Nghề, làng nghề được khôi phục, bảo tồn', unit: 'LN/NTT/LNTT', milestone: '2025', target: '30',
  });
  assert.equal(r.status, 201, r.text.slice(0, 300));
}, { critical: true });

step('2. plan 316 carries out the programme: chosen in the plan\'s form', async () => {
  await j.go(admin, `/programs/${plan}/edit`);
  const label = (await admin.locator('label[for=f-parent]').innerText()).normalize('NFC');
  assert.equal(label, 'Thực hiện chương trình, kế hoạch cấp trên');
  await admin.selectOption('#f-parent', String(national));
  await shot(admin, 'below-parent-field-vi-1366');
  await j.clickNav(admin, admin.locator('form.form button[type=submit]'));
  assert.equal(new URL(admin.url()).pathname, `/programs/${plan}`);
  assert.ok((await admin.locator('main').innerText()).includes('801/QĐ-TTg'), 'the plan names the programme it carries out');
}, { critical: true });

for (const [lang, width] of [['vi', 1366], ['vi', 390], ['en', 1366], ['en', 390]]) {
  step(`3. the plans below the programme (${lang}, ${width})`, async () => {
    const ctx = await j.browser.newContext({ viewport: { width, height: 900 } });
    await ctx.addCookies(await admin.context().cookies());
    const p = await ctx.newPage();
    p.on('pageerror', (e) => j.errors.push(`${p.url()}: ${e.message}`));
    await j.go(p, `/programs/${national}`);
    if (lang === 'en') await j.setLang(p, 'en');
    await j.clickNav(p, p.locator('#plans-below'));
    assert.equal(new URL(p.url()).pathname, `/programs/${national}/plans`);
    const h1 = (await p.locator('h1').innerText()).normalize('NFC');
    assert.equal(h1, lang === 'vi' ? 'Kế hoạch cấp dưới theo chỉ tiêu' : 'Plans below, by indicator');
    const rows = p.locator('#plans-below tbody tr');
    assert.equal(await rows.count(), 1, 'one plan below');
    assert.match((await rows.first().innerText()).normalize('NFC'), /Lào Cai/);
    assert.ok(await p.locator('#sample-note').isVisible(), 'the demo\'s sample periods are marked');
    const cells = await rows.first().locator('td').allInnerTexts();
    assert.ok(cells.some((c) => /\d/.test(c)), `figures in the row: ${JSON.stringify(cells)}`);
    await noSidewaysScroll(p);
    await checkA11y(p);
    await shot(p, `below-table-${lang}-${width}`);
    if (lang === 'en') await j.setLang(p, 'vi');
    await ctx.close();
  }, { critical: lang === 'vi' && width === 1366 });
}

step('4. a code the programme does not have: said above the first indicator', async () => {
  await j.go(admin, `/programs/${national}/plans?indicator=X.9`);
  const alert = (await admin.locator('#below-error').innerText()).normalize('NFC');
  assert.match(alert, /X\.9/);
  assert.equal(await admin.locator('#plans-below tbody tr').count(), 1);
});

step('5. Lào Cai\'s viewer sees its plan; Hà Nội\'s sees none of another province', async () => {
  await createUser(j, admin, LC);
  await createUser(j, admin, HN);
  const lc = await j.newPage('viewer-lc');
  await j.login(lc, LC.username, LC.password);
  await j.go(lc, `/programs/${national}/plans`);
  assert.equal(await lc.locator('#plans-below tbody tr').count(), 1);
  const hn = await j.newPage('viewer-hn', 390);
  await j.login(hn, HN.username, HN.password);
  await j.go(hn, `/programs/${national}/plans`);
  assert.equal(await hn.locator('#plans-below').count(), 0, 'no table of plans out of reach');
  const empty = (await hn.locator('.empty-state').innerText()).normalize('NFC');
  assert.match(empty, /chưa có kế hoạch cấp dưới nào trong phạm vi/i);
  await noSidewaysScroll(hn);
  await shot(hn, 'below-empty-hanoi-vi-390');
});
