// Journey 17 — a plan document in, a draft programme out: the coordinator of Sở
// NN&PTNT Lào Cai opens "Đọc từ văn bản" from the plans list, pastes a plan's
// text, reviews the proposal (the text with every item highlighted beside the
// items), corrects one target and one task's lead agency, creates the plan and
// lands on its page, where the correction and the lead are shown. Then the same
// in English on a phone (390 px) with a press release, without sideways
// scrolling. Screenshots target/screenshots/import-*.png.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, shot, checkA11y, REPO_ROOT } from '../lib.mjs';
import { journey, createUser } from '../daily.mjs';

const j = journey('import');
const { step } = j;
const COORD = { username: 'dieu.phoi', display: 'Nguyễn Văn Điều', password: 'Lao Cai 2023 điều phối', role: 'coordinator', agency: 'lc-so-nnptnt', scope: '15' };
const PLAN = readFileSync(path.join(REPO_ROOT, 'tests', 'ingest', 'own-plan.txt'), 'utf8');
const PRESS = readFileSync(path.join(REPO_ROOT, 'tests', 'ingest', 'own-press.txt'), 'utf8');
let admin; let coord;
let programPath = null;

before(async () => {
  j.server = await startServer({ extraArgs: ['--demo-no-history'] });
  j.browser = await launchBrowser();
  admin = await j.newPage('admin');
  coord = await j.newPage('coordinator');
});
after(async () => {
  if (j.errors.length) console.log(`# JavaScript errors:\n#   ${j.errors.join('\n#   ')}`);
  await j.browser?.close().catch(() => {});
  await j.server?.stop();
  assert.deepEqual(j.errors, [], 'no JavaScript errors');
});

step('1. the coordinator of Sở NN&PTNT Lào Cai', async () => {
  j.page = admin;
  await j.login(admin, j.server.username, j.server.password);
  await createUser(j, admin, COORD);
  j.page = coord;
  await j.login(coord, COORD.username, COORD.password);
}, { critical: true });

step('2. from the plans list to the import form; paste the plan and read it', async () => {
  await j.go(coord, '/programs');
  await j.clickNav(coord, coord.locator('a[href="/plans/import"]'));
  assert.equal(j.nfc(await coord.locator('h1').innerText()), 'Đọc kế hoạch từ văn bản');
  await checkA11y(coord);
  await coord.fill('#f-text', PLAN);
  await shot(coord, 'import-form-vi-1366');
  await j.clickNav(coord, coord.locator('main button[type=submit]'));
  assert.match(new URL(coord.url()).pathname, /^\/plans\/drafts\/\d+$/);
}, { critical: true });

step('3. the review: the text highlighted beside the items read from it', async () => {
  assert.equal(j.nfc(await coord.locator('h1').innerText()), 'Xem lại dự thảo kế hoạch');
  assert.ok(await coord.locator('.draft-text-view mark.mark-target').count() >= 8, 'targets highlighted in the text');
  assert.ok(await coord.locator('.draft-text-view mark.mark-task').count() >= 6, 'tasks highlighted in the text');
  assert.equal(await coord.inputValue('#f-doc-number'), '58/KH-UBND');
  assert.equal(await coord.inputValue('#f-t-0-0-wording'), 'ít nhất 2 làng nghề');
  // A highlighted passage links to its item and back.
  const href = await coord.locator('.draft-text-view mark.mark-target a').first().getAttribute('href');
  assert.equal(href, '#item-t-0-0');
  await checkA11y(coord);
  await shot(coord, 'import-review-vi-1366');
});

step('4. correct a target and a task\'s lead agency, create the plan', async () => {
  await coord.fill('#f-t-0-0-wording', 'ít nhất 4 làng nghề');
  // The task of UBND huyện Bát Xát: give it to Sở Công Thương instead.
  const select = coord.locator('select[name$="-lead"]').filter({ has: coord.locator('option[selected]', { hasText: 'Bát Xát' }) }).first();
  assert.ok(await select.count(), 'a task led by UBND huyện Bát Xát');
  await select.selectOption({ label: 'Sở Công Thương tỉnh Lào Cai' });
  await j.clickNav(coord, coord.locator('.draft-items button[type=submit]'));
  programPath = new URL(coord.url()).pathname;
  assert.match(programPath, /^\/programs\/\d+$/);
  const flash = j.nfc(await coord.locator('.flash').first().innerText());
  assert.ok(flash.includes('Đã tạo kế hoạch từ văn bản'), flash);
  const main = j.nfc(await coord.locator('main').innerText());
  assert.ok(main.includes('ít nhất 4 làng nghề'), 'the corrected target');
  assert.ok(main.includes('Kế hoạch phát triển nghề dệt thổ cẩm'), 'the title read from the document');
  await shot(coord, 'import-created-vi-1366');
}, { critical: true });

step('5. the created plan answers as JSON with the corrected lead', async () => {
  const id = programPath.split('/').pop();
  const r = await j.api(coord, 'GET', `/api/v1/programs/${id}/tasks?limit=100`);
  const bx = r.json.items.find((t) => t.text.startsWith('Bố trí mặt bằng'));
  assert.ok(bx, 'the task is there');
  const other = r.json.items.find((t) => t.text.startsWith('Chỉ đạo Ủy ban nhân dân xã Y Tý'));
  assert.ok([bx.lead_agency_name, other.lead_agency_name].includes('Sở Công Thương tỉnh Lào Cai'), JSON.stringify([bx, other]));
});

step('6. in English on a phone: a press release read, reviewed and created', async () => {
  await coord.setViewportSize({ width: 390, height: 844 });
  await j.setLang(coord, 'en');
  await j.go(coord, '/plans/import');
  assert.equal(j.nfc(await coord.locator('h1').innerText()), 'Read a plan from its document');
  await coord.fill('#f-draft-title', 'Lào Cai 2027 (press)');
  await coord.fill('#f-text', PRESS);
  await j.clickNav(coord, coord.locator('main button[type=submit]'));
  assert.equal(j.nfc(await coord.locator('h1').innerText()), 'Review the draft plan');
  assert.deepEqual(await j.sideways(coord), [], 'the review page fits a phone');
  await shot(coord, 'import-review-en-390');
  // The press release has no number: its title and years are given here.
  await coord.fill('#f-doc-title', 'Phát triển làng nghề Lào Cai năm 2027');
  await coord.fill('#f-period-start', '2027');
  await coord.fill('#f-period-end', '2027');
  await j.clickNav(coord, coord.locator('.draft-items button[type=submit]'));
  assert.match(new URL(coord.url()).pathname, /^\/programs\/\d+$/);
  assert.deepEqual(await j.sideways(coord), [], 'the new plan fits a phone');
  await shot(coord, 'import-created-en-390');
});

step('7. a file that is not a plan document gets a clear message, in English', async () => {
  await coord.setViewportSize({ width: 1366, height: 900 });
  await j.go(coord, '/plans/import');
  await coord.setInputFiles('#f-file', { name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]) });
  await j.clickNav(coord, coord.locator('main button[type=submit]'));
  const summary = j.nfc(await coord.locator('.error-summary').innerText());
  assert.ok(summary.includes('The file is not a Word (DOCX), PDF or text file'), summary);
  await shot(coord, 'import-error-en-1366');
});
