// Journey 07 — an officer's day: the officer of UBND huyện Bát Xát
// logs in and finds on the home page ("Việc cần làm") the report to fill, with
// its due date and how late it is; opens it from there, fills it (on a phone
// the value box is visible without sideways scrolling), submits; the
// coordinator returns it with a reason; the officer sees it returned, with the
// reason, first on the home page and a notification in the header counter;
// fixes, resubmits; the coordinator approves, and the item leaves the list.
// Vietnamese and English, 1366 px and 390 px; screenshots target/screenshots/daily-*.png.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, shot, checkA11y, SCREENSHOT_DIR } from '../lib.mjs';
import { journey, createUser, laoCaiPlan } from '../daily.mjs';

const j = journey('daily-07');
const { step } = j;
const COORD = { username: 'dieu.phoi', display: 'Nguyễn Văn Điều', password: 'Lao Cai 2023 điều phối', role: 'coordinator', agency: 'lc-so-nnptnt', scope: '15' };
const OFFICER = { username: 'bat.xat', display: 'Lý Thị Mai', password: 'Huyện biên giới 2023', role: 'officer', agency: 'lc-ubnd-bat-xat', scope: '082' };
const REASON = 'Thiếu số liệu chỉ tiêu II.4.a';
let admin; let coord; let officer;
let reportPath = null;

before(async () => {
  j.server = await startServer({ extraArgs: ['--demo-no-history'] }); // opens the 2023 periods itself
  j.browser = await launchBrowser();
  admin = await j.newPage('admin');
  coord = await j.newPage('coordinator');
  officer = await j.newPage('officer');
});
after(async () => {
  if (j.errors.length) console.log(`# JavaScript errors:\n#   ${j.errors.join('\n#   ')}`);
  await j.browser?.close().catch(() => {});
  await j.server?.stop();
});

step('1. accounts and an overdue period (H1 2023 of plan 316, due 20/6/2023)', async () => {
  j.page = admin;
  await j.login(admin, j.server.username, j.server.password);
  for (const u of [COORD, OFFICER]) await createUser(j, admin, u);
  j.page = coord;
  await j.login(coord, COORD.username, COORD.password);
  const plan = await laoCaiPlan(j, coord);
  const r = await j.api(coord, 'POST', `/api/v1/programs/${plan}/periods`, { kind: 'first_half', year: '2023', confirm_past_due: true });
  assert.equal(r.status, 201, r.text);
}, { critical: true });

step('2. the officer\'s home page lists the report to fill, overdue, with its due date', async () => {
  j.page = officer;
  await j.login(officer, OFFICER.username, OFFICER.password);
  assert.equal(new URL(officer.url()).pathname, '/');
  assert.equal(j.nfc(await officer.locator('h1').innerText()), 'Việc cần làm');
  const items = await j.todo(officer);
  const fill = items.find((i) => i.kind === 'report_to_fill');
  assert.ok(fill, `a report to fill: ${JSON.stringify(items)}`);
  assert.equal(fill.state, 'overdue');
  assert.match(fill.days, /^quá hạn \d{1,3}(\.\d{3})* ngày$/);
  assert.ok(fill.title.includes('6 tháng đầu năm 2023'), fill.title);
  const due = j.nfc(await officer.locator('ul.todo-list li.todo-kind-report_to_fill .todo-due').first().innerText());
  assert.ok(due.includes('20/6/2023'), due);
  reportPath = fill.href;
  await checkA11y(officer);
  await j.shots(officer, 'officer-home-vi');
}, { critical: true });

step('3. phone: the menu folds behind a button and opens without JavaScript', async () => {
  j.page = officer;
  await officer.setViewportSize({ width: 390, height: 844 });
  await j.go(officer, '/');
  assert.equal(await officer.locator('nav.main-nav').isVisible(), false, 'the menu is folded at 390 px');
  await officer.screenshot({ path: path.join(SCREENSHOT_DIR, 'daily-phone-header-390-view.png') });
  const header = await officer.locator('header.site-header').boundingBox();
  assert.ok(header.height < 844 / 6, `the header takes ${header.height} px of 844`);
  await officer.locator('label.nav-toggle-label').click();
  assert.equal(await officer.locator('nav.main-nav').isVisible(), true, 'the menu opens');
  await shot(officer, 'daily-phone-menu-open-390');
  await officer.setViewportSize({ width: 1366, height: 900 });
  await j.go(officer, '/');
  assert.equal(await officer.locator('nav.main-nav').isVisible(), true, 'the menu is open on a desktop');
});

step('4. the same home page in English (plurals, days)', async () => {
  j.page = officer;
  await j.setLang(officer, 'en');
  assert.equal(j.nfc(await officer.locator('h1').innerText()), 'To do');
  const fill = (await j.todo(officer)).find((i) => i.kind === 'report_to_fill');
  assert.match(fill?.days ?? '', /^\d{1,3}(,\d{3})* days overdue$/);
  await j.shots(officer, 'officer-home-en');
  await j.setLang(officer, 'vi');
});

step('5. from the to-do item to the report; on a phone each value box is in view; fill and submit', async () => {
  j.page = officer;
  await j.go(officer, '/');
  await j.clickNav(officer, officer.locator('ul.todo-list li.todo-kind-report_to_fill a').first());
  assert.equal(new URL(officer.url()).pathname, reportPath);
  await officer.setViewportSize({ width: 390, height: 844 });
  await officer.reload({ waitUntil: 'load' });
  const out = await officer.locator('#report-form input.input-num').evaluateAll((els) => els
    .map((e) => e.getBoundingClientRect())
    .filter((r) => r.left < 0 || r.right > document.documentElement.clientWidth + 1).length);
  assert.equal(out, 0, `${out} value boxes are outside the 390 px screen`);
  assert.deepEqual(await j.sideways(officer), [], 'the report page scrolls sideways at 390 px');
  await shot(officer, 'daily-report-entry-390');
  await officer.locator('table.report-lines').scrollIntoViewIfNeeded();
  await officer.screenshot({ path: path.join(SCREENSHOT_DIR, 'daily-report-lines-390-view.png') });
  await officer.locator('table.report-lines tbody tr').filter({ has: officer.locator('td.rl-code', { hasText: /^II\.4\.a$/ }) })
    .locator('input.input-num').first().fill('120');
  await officer.setViewportSize({ width: 1366, height: 900 });
  await shot(officer, 'daily-report-entry-1366');
  await j.clickNav(officer, officer.locator('#report-form button[value=submit]'));
  assert.equal(j.nfc(await officer.locator('#report-state').innerText()), 'Đã nộp');
  const items = await j.todo(await (async () => { await j.go(officer, '/'); return officer; })());
  assert.ok(!items.some((i) => i.href === reportPath), 'a submitted report leaves the officer\'s list');
}, { critical: true });

step('6. the coordinator finds it waiting on the home page and returns it with a reason', async () => {
  j.page = coord;
  await j.go(coord, '/');
  const items = await j.todo(coord);
  const review = items.find((i) => i.kind === 'report_to_review' && i.href === reportPath);
  assert.ok(review, `waiting for review: ${JSON.stringify(items)}`);
  assert.ok(review.title.includes('Bát Xát'), review.title);
  await j.shots(coord, 'coordinator-home-vi');
  await j.clickNav(coord, coord.locator(`ul.todo-list a[href="${reportPath}"]`));
  await coord.locator('#f-reason-return').fill(REASON);
  await j.clickNav(coord, coord.locator('#review form', { has: coord.locator('#f-reason-return') }).locator('button[type=submit]'));
  assert.equal(j.nfc(await coord.locator('#report-state').innerText()), 'Bị trả lại');
}, { critical: true });

step('7. the officer sees it returned first on the home page, with the reason and a notification', async () => {
  j.page = officer;
  await j.go(officer, '/');
  const items = await j.todo(officer);
  assert.equal(items[0]?.kind, 'report_returned', JSON.stringify(items));
  assert.ok(items[0].detail.includes(REASON), items[0].detail);
  const count = Number(j.nfc(await officer.locator('.notif-count').innerText()));
  assert.ok(count >= 1, `unread notifications in the header: ${count}`);
  await j.shots(officer, 'officer-returned-vi');
  await j.setLang(officer, 'en');
  const en = await j.todo(officer);
  assert.ok(en[0].detail.startsWith('Returned because:'), en[0].detail);
  await j.shots(officer, 'officer-returned-en');
  await j.setLang(officer, 'vi');
  await j.clickNav(officer, officer.locator('.notif-link'));
  assert.equal(new URL(officer.url()).pathname, '/notifications');
}, { critical: true });

step('8. fix, resubmit; the coordinator approves; the list is clear of it', async () => {
  j.page = officer;
  await j.go(officer, '/');
  await j.clickNav(officer, officer.locator('ul.todo-list li.todo-kind-report_returned a'));
  assert.equal(new URL(officer.url()).pathname, reportPath);
  await officer.locator('table.report-lines tbody tr').filter({ has: officer.locator('td.rl-code', { hasText: /^II\.4\.a$/ }) })
    .locator('input.input-num').first().fill('125');
  await j.clickNav(officer, officer.locator('#report-form button[value=submit]'));
  assert.equal(j.nfc(await officer.locator('#report-state').innerText()), 'Đã nộp');
  j.page = coord;
  await j.go(coord, reportPath);
  await j.clickNav(coord, coord.locator('#review button', { hasText: 'Phê duyệt' }));
  assert.equal(j.nfc(await coord.locator('#report-state').innerText()), 'Đã duyệt');
  j.page = officer;
  await j.go(officer, '/');
  const items = await j.todo(officer);
  assert.ok(!items.some((i) => i.href === reportPath), `approved: off the list ${JSON.stringify(items)}`);
  await j.shots(officer, 'officer-home-done-vi');
});
