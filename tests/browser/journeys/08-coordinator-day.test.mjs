// Journey 08 — a coordinator's day: two districts have submitted;
// the coordinator's home page ("Việc cần làm") lists the reports waiting for
// review and the units late in the open period; the coordinator returns one
// with a reason and approves the other from there, opens the period of the late
// units and the consolidation. A viewer (leader) sees the programmes in scope
// with their progress. Vietnamese and English, 1366 px and 390 px;
// screenshots target/screenshots/daily-*.png.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, shot, checkA11y } from '../lib.mjs';
import { journey, createUser, laoCaiPlan } from '../daily.mjs';

const j = journey('daily-08');
const { step } = j;
const COORD = { username: 'dieu.phoi', display: 'Nguyễn Văn Điều', password: 'Lao Cai 2023 điều phối', role: 'coordinator', agency: 'lc-so-nnptnt', scope: '15' };
const OFFICERS = [
  { username: 'bat.xat', display: 'Lý Thị Mai', password: 'Huyện biên giới 2023', role: 'officer', agency: 'lc-ubnd-bat-xat', scope: '082', name: 'Bát Xát' },
  { username: 'sa.pa', display: 'Giàng A Páo', password: 'Thị xã mây trắng 2023', role: 'officer', agency: 'lc-ubnd-sa-pa', scope: '088', name: 'Sa Pa' },
];
const VIEWER = { username: 'lanh.dao', display: 'Hoàng Văn Lãnh', password: 'Lãnh đạo sở xem tiến độ', role: 'viewer', agency: 'lc-so-nnptnt', scope: '15' };
const REASON = 'Chưa có số liệu làng nghề được công nhận';
let admin; let coord;
let plan = null;
const reports = {};

before(async () => {
  j.server = await startServer({ extraArgs: ['--demo-no-history'] }); // opens the 2023 periods itself
  j.browser = await launchBrowser();
  admin = await j.newPage('admin');
  coord = await j.newPage('coordinator');
});
after(async () => {
  if (j.errors.length) console.log(`# JavaScript errors:\n#   ${j.errors.join('\n#   ')}`);
  await j.browser?.close().catch(() => {});
  await j.server?.stop();
});

step('1. accounts, the H1 2023 period opened, two districts submit', async () => {
  j.page = admin;
  await j.login(admin, j.server.username, j.server.password);
  for (const u of [COORD, ...OFFICERS, VIEWER]) await createUser(j, admin, u);
  j.page = coord;
  await j.login(coord, COORD.username, COORD.password);
  plan = await laoCaiPlan(j, coord);
  const r = await j.api(coord, 'POST', `/api/v1/programs/${plan}/periods`, { kind: 'first_half', year: '2023', confirm_past_due: true });
  assert.equal(r.status, 201, r.text);
  for (const o of OFFICERS) {
    const p = await j.newPage(o.username);
    j.page = p;
    await j.login(p, o.username, o.password);
    const list = await j.api(p, 'GET', '/api/v1/reports');
    const id = list.json?.items?.[0]?.id;
    assert.ok(id, `${o.username} has a report: ${list.text.slice(0, 200)}`);
    const s = await j.api(p, 'POST', `/api/v1/reports/${id}/submit`, {});
    assert.equal(s.status, 200, s.text.slice(0, 300));
    reports[o.username] = `/reports/${id}`;
    await p.context().close();
  }
}, { critical: true });

step('2. the coordinator\'s to-do: two reports to review, the late units of the period', async () => {
  j.page = coord;
  await j.go(coord, '/');
  const items = await j.todo(coord);
  for (const o of OFFICERS) {
    const it = items.find((i) => i.kind === 'report_to_review' && i.href === reports[o.username]);
    assert.ok(it, `${o.username}'s report waits for review: ${JSON.stringify(items)}`);
    assert.ok(it.title.includes(o.name), it.title);
  }
  const late = items.find((i) => i.kind === 'units_late');
  assert.ok(late, `late units: ${JSON.stringify(items)}`);
  assert.match(late.title, /^\d+ đơn vị chưa nộp báo cáo 6 tháng đầu năm 2023/);
  assert.match(late.detail, /^Đã nộp 2\/\d+ đơn vị$/);
  assert.match(late.days, /^quá hạn \d{1,3}(\.\d{3})* ngày$/);
  await checkA11y(coord);
  await j.shots(coord, 'coordinator-todo-vi');
  await j.setLang(coord, 'en');
  const en = await j.todo(coord);
  const lateEn = en.find((i) => i.kind === 'units_late');
  assert.match(lateEn?.title ?? '', /^\d+ units have not submitted/);
  assert.match(lateEn?.days ?? '', /^\d{1,3}(,\d{3})* days overdue$/);
  await j.shots(coord, 'coordinator-todo-en');
  await j.setLang(coord, 'vi');
}, { critical: true });

step('3. review from the list: return one with a reason, approve the other', async () => {
  j.page = coord;
  await j.go(coord, '/');
  await j.clickNav(coord, coord.locator(`ul.todo-list a[href="${reports['bat.xat']}"]`));
  await coord.locator('#f-reason-return').fill(REASON);
  await j.clickNav(coord, coord.locator('#review form', { has: coord.locator('#f-reason-return') }).locator('button[type=submit]'));
  assert.equal(j.nfc(await coord.locator('#report-state').innerText()), 'Bị trả lại');
  await j.go(coord, '/');
  await j.clickNav(coord, coord.locator(`ul.todo-list a[href="${reports['sa.pa']}"]`));
  await j.clickNav(coord, coord.locator('#review button', { hasText: 'Phê duyệt' }));
  assert.equal(j.nfc(await coord.locator('#report-state').innerText()), 'Đã duyệt');
  await j.go(coord, '/');
  const items = await j.todo(coord);
  assert.ok(!items.some((i) => i.kind === 'report_to_review'), `nothing left to review: ${JSON.stringify(items)}`);
  await j.shots(coord, 'coordinator-todo-after-vi');
});

step('4. the late units open the period page; then the consolidation', async () => {
  j.page = coord;
  await j.go(coord, '/');
  await j.clickNav(coord, coord.locator('ul.todo-list li.todo-kind-units_late a').first());
  assert.match(new URL(coord.url()).pathname, /^\/periods\/\d+$/);
  await shot(coord, 'daily-period-from-todo-1366');
  await j.go(coord, `/programs/${plan}/consolidation`);
  assert.ok(j.nfc(await coord.locator('h1').innerText()).length > 0);
  await shot(coord, 'daily-consolidation-1366');
  await coord.setViewportSize({ width: 390, height: 844 });
  await coord.reload({ waitUntil: 'load' });
  await shot(coord, 'daily-consolidation-390');
  await coord.setViewportSize({ width: 1366, height: 900 });
});

step('5. a viewer sees the programmes in scope with their progress', async () => {
  const p = await j.newPage('viewer');
  j.page = p;
  await j.login(p, VIEWER.username, VIEWER.password);
  const items = await j.todo(p);
  assert.ok(items.length > 0 && items.every((i) => i.kind === 'programme'), JSON.stringify(items));
  const lc = items.find((i) => i.href === `/programs/${plan}`);
  assert.ok(lc, `the Lào Cai plan: ${JSON.stringify(items)}`);
  assert.match(lc.detail, /Báo cáo đã duyệt: 1\/\d+/);
  assert.ok(!items.some((i) => /Hà Nội/.test(i.title)), 'no Hà Nội programme in a Lào Cai scope');
  await checkA11y(p);
  await j.shots(p, 'viewer-home-vi');
  await j.setLang(p, 'en');
  const en = await j.todo(p);
  assert.match(en.find((i) => i.href === `/programs/${plan}`)?.detail ?? '', /Reports approved: 1\//);
  await j.shots(p, 'viewer-home-en');
});
