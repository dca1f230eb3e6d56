// Journey 04 — the whole reporting cycle: the admin creates a
// coordinator (Sở NN&PTNT Lào Cai) and a district officer (UBND huyện Bát
// Xát); the coordinator opens the H1 2023 period of the Lào Cai plan 316 (an
// impossible due date first); the officer fills half of the report on the web
// (typed text survives a reload, a negative count is flagged) and the other
// half in the downloaded Excel workbook (a bad cell is refused whole, naming
// the cell), submits; the coordinator returns it with a comment, the officer
// fixes and resubmits, the coordinator approves; the consolidated report
// carries the approved figures on screen and in the official PDF.
//
// One server (`serve --demo`), one browser with a context per person (admin,
// coordinator, officer); the steps run in order. If a critical step fails,
// the later ones are skipped.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, shot, checkA11y, details, nfc, SCREENSHOT_DIR, REPO_ROOT } from '../lib.mjs';
import { readXlsx } from '../xlsx.mjs';

const PREFIX = 'reporting';
const OUT_DIR = path.join(REPO_ROOT, 'target', 'e2e-reporting');
const XLSX_DUMP = path.resolve(REPO_ROOT, process.env.XLSX_DUMP_BIN || path.join('target', 'debug', 'xlsx-dump'));

const COORD = {
  username: 'dieu.phoi',
  display: 'Nguyễn Văn Điều',
  email: 'dieu.phoi@laocai.gov.vn',
  password: 'Lao Cai 2023 điều phối',
  role: 'coordinator',
  agency: 'Sở Nông nghiệp và Phát triển nông thôn tỉnh Lào Cai',
  scope: '15',
};
const OFFICER = {
  username: 'bat.xat',
  display: 'Lý Thị Mai',
  email: 'bat.xat@laocai.gov.vn',
  password: 'Huyện biên giới 2023',
  role: 'officer',
  agency: 'Ủy ban nhân dân huyện Bát Xát',
  scope: '082',
};
const RETURN_REASON = 'Số liệu I.2.1 chưa khớp danh sách làng nghề';
const RESULTS_TEXT = 'Duy trì 5 làng nghề; hỗ trợ 2 hộ làm nghề dệt thổ cẩm Y Tý.';
const DIFFICULTIES_TEXT = 'Thiếu vốn, mặt bằng sản xuất; thị trường tiêu thụ hạn chế.';
// The web half: I.2.1 = LN + NTT + LNTT; after the return: 6 = 2 + 2 + 2.
const WEB_VALUES = { '': '5', LN: '2', NTT: '2', LNTT: '1' };
const FIXED = { '': '6', LNTT: '2' };
// The Excel half (column H of "Số liệu").
const XLSX_VALUES = { 'I.2.3': 3, 'II.4.a': 120 };

let server;
let browser;
let page; // the page of the step running now (screenshot on failure)
let adminPage;
let coordPage;
let officerPage;
let broken = null; // name of the failed critical step
const pageErrors = [];

// Shared between steps.
let programPath = null; // "/programs/{id}" of the Lào Cai plan 316
let periodPath = null; // "/periods/{id}"
let reportPath = null; // "/reports/{id}" of Bát Xát's report
let consolidationPath = null;
let lines = null; // [{id, code, category, …}] of Bát Xát's report

const pathOf = (p) => new URL(p.url()).pathname;
const abs = (rel) => new URL(rel, server.url).href;
const go = (p, rel) => p.goto(abs(rel), { waitUntil: 'load' });

function step(name, fn, { critical = false, needs = null } = {}) {
  test(name, async (t) => {
    if (broken) {
      t.skip(`earlier step failed: ${broken}`);
      return;
    }
    const missing = needs?.();
    if (missing) {
      t.skip(missing);
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

async function newPage(label) {
  const context = await browser.newContext({
    locale: 'vi-VN',
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  const p = await context.newPage();
  p.setDefaultTimeout(20_000);
  p.on('pageerror', (err) => pageErrors.push(`[${label}] ${p.url()}: ${err.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(`[${label}] console: ${m.text().slice(0, 200)} (${p.url()})`);
  });
  return p;
}

async function login(p, username, password) {
  await go(p, '/login');
  await p.fill('input[name=username]', username);
  await p.fill('input[name=password]', password);
  await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.click('button[type=submit]')]);
  assert.notEqual(pathOf(p), '/login',
    `login as ${username} failed: still on /login (${nfc(await p.locator('.flash, .error-summary, .field-error').allInnerTexts().then((x) => x.join(' | ')).catch(() => ''))})`);
}

/** Click `locator` and wait for the navigation that follows. */
async function clickNav(p, locator) {
  await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
}

/** The report form's lines: [{id, code, category, name, unit, value, flagged, findings: [text]}]. */
async function readLines(p) {
  return p.locator('table.report-lines tbody tr').evaluateAll((trs) => trs.map((tr) => {
    const norm = (s) => (s ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
    const strong = tr.cells[1].querySelector(':scope > strong');
    const input = tr.cells[5].querySelector('input');
    return {
      id: Number(tr.id.replace('line-', '')),
      code: norm(tr.cells[0].textContent),
      category: strong ? norm(strong.textContent) : '',
      name: norm([...tr.cells[1].childNodes].filter((n) => n.nodeType === 3 || n.tagName === 'STRONG').map((n) => n.textContent).join(' ')),
      unit: norm(tr.cells[2].textContent),
      value: input ? input.value : norm(tr.cells[5].querySelector('.num')?.textContent).replace(/^—$/, ''),
      flagged: tr.classList.contains('row-flagged'),
      findings: [...tr.querySelectorAll('.field-error, .field-warning')].map((f) => norm(f.textContent)),
    };
  }));
}

function lineOf(code, category = '') {
  const l = lines?.find((x) => x.code === code && x.category === category);
  if (!l) throw new Error(`no line ${code}${category ? ` (${category})` : ''} in the report: ${JSON.stringify(lines?.map((x) => `${x.code}/${x.category}`))}`);
  return l;
}

/** The page's flash message (the one under the breadcrumbs), or ''. */
async function flash(p) {
  const f = p.locator('.container > .flash');
  return (await f.count()) ? nfc((await f.allInnerTexts()).join(' | ')) : '';
}

const state = async (p) => nfc(await p.locator('#report-state').innerText());

/** The rows of a table (tbody) as arrays of cell texts. */
async function rowsOf(locator) {
  return locator.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.textContent.normalize('NFC').replace(/\s+/g, ' ').trim())));
}

/** Upload `file` through the "Nhập bằng Excel" form. */
async function uploadXlsx(p, file) {
  const form = p.locator('#excel form');
  await form.locator('input[type=file]').setInputFiles(file);
  await clickNav(p, form.locator('button[type=submit]'));
}

/** Elements wider than the viewport (outside scrolling .table-wrap), and the page's scroll width. */
async function overflow(p) {
  return p.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.table-wrap')) continue;
      const r = el.getBoundingClientRect();
      if (r.right > vw + 1 && r.width > 0) {
        wide.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} (${Math.round(r.right)} px)`);
      }
    }
    return { width: document.documentElement.scrollWidth, vw, wide: wide.slice(0, 10) };
  });
}

before(async () => {
  try {
    for (const f of readdirSync(SCREENSHOT_DIR)) {
      if (f.startsWith(`${PREFIX}-FAILED-`)) rmSync(path.join(SCREENSHOT_DIR, f));
    }
  } catch { /* no screenshots yet */ }
  mkdirSync(OUT_DIR, { recursive: true });
  server = await startServer({ extraArgs: ['--demo-no-history'] }); // opens the 2023 periods itself
  browser = await launchBrowser();
  adminPage = await newPage('admin');
  coordPage = await newPage(COORD.username);
  officerPage = await newPage(OFFICER.username);
});

after(async () => {
  if (pageErrors.length) {
    console.log(`# JavaScript errors seen during the journey:\n#   ${pageErrors.join('\n#   ')}`);
  }
  await browser?.close().catch(() => {});
  await server?.stop();
});

step('1. the admin creates a coordinator (Sở NN&PTNT Lào Cai) and the Bát Xát officer', async () => {
  page = adminPage;
  await login(page, server.username, server.password);
  for (const u of [COORD, OFFICER]) {
    await go(page, '/users/new');
    await page.fill('#f-username', u.username);
    await page.fill('#f-display_name', u.display);
    await page.fill('#f-email', u.email);
    await page.fill('#f-password', u.password);
    await page.selectOption('#f-role', u.role);
    await page.selectOption('#f-agency', { label: u.agency }).catch(async (e) => {
      const opts = (await page.locator('#f-agency option').allInnerTexts()).map(nfc).filter((o) => /Lào Cai|Bát Xát/.test(o));
      throw new Error(`cannot pick "${u.agency}" in #f-agency (${e.message.split('\n')[0]}); Lào Cai options: ${JSON.stringify(opts)}`);
    });
    await page.fill('#f-scope', u.scope);
    await clickNav(page, page.locator('form.form button[type=submit]'));
    const errs = (await page.locator('.error-summary li').allInnerTexts()).map(nfc);
    assert.deepEqual(errs, [], `creating ${u.username} was refused: ${JSON.stringify(errs)}`);
    assert.equal(pathOf(page), '/users', `after creating ${u.username} expected /users, got ${page.url()}`);
    const list = nfc(await page.locator('main').innerText());
    assert.ok(list.includes(u.username), `/users does not list ${u.username}`);
  }
}, { critical: true });

step('2. the coordinator opens the H1 2023 period of plan 316 (an impossible due date first)', async () => {
  page = coordPage;
  await login(page, COORD.username, COORD.password);
  await go(page, '/programs');
  await page.fill('form.filters #f-q', '316');
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get('q') === '316'),
    page.locator('form.filters button[type=submit]').click(),
  ]);
  const rows = await rowsOf(page.locator('table.data-table'));
  const hit = rows.findIndex((r) => r[0] === '316/KH-UBND' || r[4] === '316/KH-UBND');
  assert.ok(hit >= 0, `no programme 316/KH-UBND in /programs?q=316: ${JSON.stringify(rows)}`);
  await Promise.all([
    page.waitForURL((u) => /^\/programs\/\d+$/.test(u.pathname)),
    page.locator('table.data-table tbody tr').nth(hit).locator('a').first().click(),
  ]);
  programPath = pathOf(page);
  const periodsLink = page.locator('.page-header a', { hasText: 'Kỳ báo cáo' });
  assert.ok(await periodsLink.count(), `no "Kỳ báo cáo" link in the page header of ${programPath}`);
  await clickNav(page, periodsLink.first());
  assert.equal(pathOf(page), `${programPath}/periods`);
  const h1 = nfc(await page.locator('h1').innerText());
  assert.ok(h1.includes('316/KH-UBND'), `h1 of the periods page is "${h1}"`);

  // An impossible date: 31/2/2023.
  const form = page.locator('#open form');
  assert.ok(await form.count(), `no "Mở kỳ báo cáo" form (#open form) on ${page.url()}`);
  await form.locator('#f-kind').selectOption('first_half');
  await form.locator('#f-year').fill('2023');
  await form.locator('#f-due_on').fill('31/2/2023');
  await clickNav(page, form.locator('button[type=submit]'));
  assert.equal(pathOf(page), `${programPath}/periods`, `a bad due date should keep the form, got ${page.url()}`);
  const summary = page.locator('.error-summary');
  assert.ok(await summary.count(), `no .error-summary after due date 31/2/2023 (flash "${await flash(page)}")`);
  const links = await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['#f-due_on'], `error summary links ${JSON.stringify(links)}`);
  const fieldErr = nfc(await page.locator('#open .field-error').first().innerText().catch(() => ''));
  assert.ok(fieldErr, 'no .field-error next to the due date');
  assert.equal(await page.locator('#f-due_on').inputValue(), '31/2/2023', 'the typed due date was not kept');
  assert.equal(await page.locator('#f-year').inputValue(), '2023', 'the typed year was not kept');
  assert.equal(await page.locator('#f-kind').inputValue(), 'first_half', 'the chosen kind was not kept');
  await shot(page, `${PREFIX}-02a-periods-error`);

  // Blank due date: the plan's own rule (Lào Cai: 20/6).
  await page.fill('#f-due_on', '');
  // 20/6/2023 has passed: opening it needs the confirmation.
  await page.check('#f-confirm_past_due');
  await clickNav(page, page.locator('#open form button[type=submit]'));
  assert.match(pathOf(page), /^\/periods\/\d+$/, `opening the period did not land on /periods/{id} (at ${page.url()}; errors ${JSON.stringify((await page.locator('.error-summary li').allInnerTexts()).map(nfc))})`);
  periodPath = pathOf(page);
  const opened = await flash(page);
  assert.match(opened, /^Đã mở kỳ báo cáo 6 tháng đầu năm 2023: \d+ đơn vị/, `flash is "${opened}"`);
  const title = nfc(await page.locator('h1').innerText());
  assert.equal(title, '6 tháng đầu năm 2023 — 316/KH-UBND', 'h1 of the period page');
  const d = await details(page);
  assert.ok(/20\/0?6\/2023/.test(d['Hạn nộp']?.text ?? ''), `"Hạn nộp" is "${d['Hạn nộp']?.text}", expected 20/6/2023`);
  assert.ok(/15\/12\/2022/.test(d['Thời gian lấy số liệu']?.text ?? '') && /14\/0?6\/2023/.test(d['Thời gian lấy số liệu']?.text ?? ''),
    `"Thời gian lấy số liệu" is "${d['Thời gian lấy số liệu']?.text}"`);
  const units = await rowsOf(page.locator('table#timeliness'));
  const bx = units.find((r) => r[0] === OFFICER.agency);
  assert.ok(bx, `no ${OFFICER.agency} row on the period page: ${JSON.stringify(units.map((r) => r[0]))}`);
  assert.equal(bx[1], 'Đang soạn', `Bát Xát state: ${JSON.stringify(bx)}`);
  assert.equal(bx[2], '—', `Bát Xát submitted at: ${JSON.stringify(bx)}`);
  assert.match(bx[4], /^Chưa nộp — quá hạn \d/, `Bát Xát timeliness: ${JSON.stringify(bx)}`);
  assert.ok(units.length >= 6, `only ${units.length} units must report: ${JSON.stringify(units.map((r) => r[0]))}`);
  assert.ok(d['Tình hình nộp báo cáo']?.text.startsWith(`0/${units.length}`), `"Tình hình nộp báo cáo" is "${d['Tình hình nộp báo cáo']?.text}"`);
  await shot(page, `${PREFIX}-02b-period`);
}, { critical: true });

step('3. the officer fills half on the web: typed text survives a reload; a negative count is flagged', async () => {
  page = officerPage;
  await login(page, OFFICER.username, OFFICER.password);
  await clickNav(page, page.locator('nav.main-nav a', { hasText: 'Báo cáo' }));
  assert.equal(pathOf(page), '/reports');
  const rows = await rowsOf(page.locator('table.data-table'));
  assert.equal(rows.length, 1, `the officer should see exactly the Bát Xát report: ${JSON.stringify(rows)}`);
  assert.deepEqual(rows[0].slice(0, 3), [OFFICER.agency, '316/KH-UBND', '6 tháng đầu năm 2023'], `report row ${JSON.stringify(rows[0])}`);
  await clickNav(page, page.locator('table.data-table tbody a', { hasText: OFFICER.agency }));
  assert.match(pathOf(page), /^\/reports\/\d+$/);
  reportPath = pathOf(page);
  assert.equal(nfc(await page.locator('h1').innerText()), `Báo cáo — ${OFFICER.agency}`);
  assert.equal(await state(page), 'Đang soạn');

  lines = await readLines(page);
  for (const [code, cat] of [['I.2.1', ''], ['I.2.1', 'LN'], ['I.2.1', 'NTT'], ['I.2.1', 'LNTT'], ['I.2.3', ''], ['II.4.a', '']]) lineOf(code, cat);

  for (const [cat, v] of Object.entries(WEB_VALUES)) await page.fill(`#f-value-${lineOf('I.2.1', cat).id}`, v);
  await page.fill('#f-results', RESULTS_TEXT);

  // A reload before saving: the form comes back from localStorage.
  await page.reload({ waitUntil: 'load' });
  const note = page.locator('#restore-note');
  await note.waitFor({ state: 'visible', timeout: 5_000 })
    .catch(() => { throw new Error('after a reload the "Đã khôi phục…" note (#restore-note) is not shown'); });
  assert.equal(nfc(await note.innerText()), 'Đã khôi phục nội dung bạn nhập nhưng chưa lưu.');
  for (const [cat, v] of Object.entries(WEB_VALUES)) {
    assert.equal(await page.inputValue(`#f-value-${lineOf('I.2.1', cat).id}`), v, `I.2.1 ${cat || 'Tổng'} not restored after the reload`);
  }
  assert.equal(await page.inputValue('#f-results'), RESULTS_TEXT, '"Kết quả đạt được" not restored after the reload');
  await shot(page, `${PREFIX}-03a-report-restored`);

  // Save the draft.
  await clickNav(page, page.locator('#report-form button[value=save]'));
  assert.equal(pathOf(page), reportPath, `after "Lưu nháp" expected ${reportPath}, got ${page.url()}`);
  assert.equal(await flash(page), 'Đã lưu.', 'flash after "Lưu nháp"');
  assert.ok(await note.isHidden(), 'the restore note is still shown after saving');
  lines = await readLines(page);
  for (const [cat, v] of Object.entries(WEB_VALUES)) assert.equal(lineOf('I.2.1', cat).value, v, `I.2.1 ${cat || 'Tổng'} after saving`);
  assert.equal(await page.inputValue('#f-results'), RESULTS_TEXT);
  const flagged = lines.filter((l) => l.findings.length);
  assert.deepEqual(flagged.map((l) => `${l.code}/${l.category}: ${l.findings.join(' ')}`), [], 'findings on a consistent half-filled report');
  assert.match(nfc(await page.locator('.details').innerText()), /Phiên bản 2/, 'the version after one save');

  // A negative count.
  const i23 = lineOf('I.2.3');
  await page.fill(`#f-value-${i23.id}`, '-3');
  await clickNav(page, page.locator('#report-form button[value=save]'));
  lines = await readLines(page);
  const bad = lineOf('I.2.3');
  assert.ok(bad.flagged, `the I.2.3 row is not flagged after saving -3: ${JSON.stringify(bad)}`);
  assert.ok(bad.findings.some((f) => /âm/.test(f)), `the I.2.3 row does not say the value cannot be negative: ${JSON.stringify(bad.findings)}`);
  assert.equal(bad.value, '-3', 'the typed -3 is kept in the field');
  const blocking = nfc(await page.locator('#blocking-note').innerText().catch(() => ''));
  assert.match(blocking, /^Còn 1 lỗi/, `the action bar's blocking note reads "${blocking}"`);
  await page.locator(`#line-${i23.id}`).scrollIntoViewIfNeeded();
  await shot(page, `${PREFIX}-03b-report-error`);

  // Fix it (leave it blank: that half is for Excel).
  await page.fill(`#f-value-${i23.id}`, '');
  await clickNav(page, page.locator('#report-form button[value=save]'));
  lines = await readLines(page);
  assert.deepEqual(lines.filter((l) => l.findings.length).map((l) => `${l.code}/${l.category}: ${l.findings.join(' ')}`), [], 'findings after clearing I.2.3');
  assert.equal(await page.locator('#blocking-note').count(), 0, 'the blocking note is still shown');
  await shot(page, `${PREFIX}-03c-report-filled`);
}, { critical: true, needs: () => (periodPath ? null : 'no period') });

step('3b. accessibility of the report form; at 375 px it does not scroll sideways', async (t) => {
  page = officerPage;
  await go(page, reportPath);
  await checkA11y(page);
  await page.setViewportSize({ width: 375, height: 812 });
  try {
    await go(page, reportPath);
    const m = await overflow(page);
    await shot(page, `${PREFIX}-03d-phone-report`);
    assert.ok(m.width <= 376, `${reportPath} at 375 px: scrollWidth ${m.width}; wide elements: ${m.wide.join(', ') || '(none outside .table-wrap)'}`);
    const bar = await page.locator('.sticky-actions').boundingBox();
    assert.ok(bar && bar.height < 812 / 4, `the sticky action bar is ${bar?.height} px tall at 375 px`);
    await page.locator('#values h2').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${PREFIX}-03e-phone-table.png`) });
    // How far sideways the first value field is, inside its scrolling table.
    const reach = await page.evaluate(() => {
      const wrap = document.querySelector('#values .table-wrap');
      const input = wrap.querySelector('input.input-num');
      return { table: wrap.scrollWidth, wrap: wrap.clientWidth, input: Math.round(input.getBoundingClientRect().left - wrap.getBoundingClientRect().left) };
    });
    t.diagnostic(`375 px: the lines table is ${reach.table} px wide in a ${reach.wrap} px wrapper; the first value field starts at ${reach.input} px`);
    assert.ok(reach.table < 4 * reach.wrap, `at 375 px the lines table is ${reach.table} px wide (${(reach.table / reach.wrap).toFixed(1)} screens): too far to scroll to the value fields`);
    // Tabbing through the fields: the sticky action bar never hides the focused one.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.focus('#report-form input.input-num');
    const hidden = [];
    for (let i = 0; i < 60; i++) {
      const r = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || !el.closest('#report-form') || el.type === 'hidden' || el.tagName === 'BUTTON') return null;
        const b = el.getBoundingClientRect();
        const bar = document.querySelector('.sticky-actions').getBoundingClientRect();
        // Where one types: a one-line field whole, a textarea's first lines.
        const typed = Math.min(b.bottom, b.top + 48);
        return { id: `#${el.id} at ${Math.round(b.top)}–${Math.round(b.bottom)} px, bar at ${Math.round(bar.top)}–${Math.round(bar.bottom)} px`, covered: typed > bar.top + 1 && b.top < bar.bottom };
      });
      if (!r) break;
      if (r.covered) hidden.push(r.id);
      await page.keyboard.press('Tab');
    }
    assert.deepEqual(hidden, [], 'fields hidden under the sticky action bar when tabbed to');
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
}, { needs: () => (reportPath ? null : 'no report') });

step('4. the other half in Excel: a bad cell is refused whole (naming the cell), the good file loads; submit', async () => {
  page = officerPage;
  await go(page, reportPath);
  const versionBefore = await page.inputValue('#f-version');
  const link = page.locator('.page-header a', { hasText: 'Tải tệp Excel' });
  assert.ok(await link.count(), `no "Tải tệp Excel" link on ${reportPath}`);
  assert.equal(await link.getAttribute('href'), `${reportPath}/xlsx`);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const name = download.suggestedFilename();
  assert.match(name, /^bao-cao-\d+-v\d+\.xlsx$/, `download name "${name}"`);
  const file = path.join(OUT_DIR, name);
  await download.saveAs(file);
  const bytes = readFileSync(file);

  // The first sheet ("Thông tin") through calamine, as the server reads it.
  assert.ok(existsSync(XLSX_DUMP), `${XLSX_DUMP} not found — build it: cargo build -p langnghe-it --bin xlsx-dump`);
  const r = spawnSync(XLSX_DUMP, [file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `xlsx-dump ${file} failed (${r.status}): ${r.stderr}`);
  const info = Object.fromEntries(JSON.parse(r.stdout).rows.map((row) => [row[0], row[1]]));
  assert.equal(info['Mã báo cáo'], reportPath.split('/').pop(), `"Mã báo cáo" in the workbook: ${JSON.stringify(info)}`);
  assert.equal(info['Phiên bản'], versionBefore, `"Phiên bản" in the workbook: ${JSON.stringify(info)}`);
  assert.equal(info['Đơn vị báo cáo'], OFFICER.agency);

  // Fill it in offline.
  const book = readXlsx(bytes);
  assert.deepEqual(book.sheetNames(), ['Thông tin', 'Số liệu', 'Thuyết minh']);
  const values = book.rows('Số liệu');
  assert.equal(values[0].cells.H, 'Giá trị kỳ này', `header of column H: ${JSON.stringify(values[0].cells)}`);
  const rowOf = (code) => {
    const id = String(lineOf(code).id);
    const row = values.find((x) => x.cells.A === id);
    assert.ok(row, `no row with line id ${id} (${code}) in "Số liệu"`);
    assert.equal(row.cells.B, code, `row ${row.row}: ${JSON.stringify(row.cells)}`);
    assert.equal(row.cells.D, 'Tổng', `row ${row.row}: ${JSON.stringify(row.cells)}`);
    return row.row;
  };
  const i21 = values.find((x) => x.cells.A === String(lineOf('I.2.1').id));
  assert.equal(i21?.cells.H, WEB_VALUES[''], `the workbook carries the web half: I.2.1 is ${JSON.stringify(i21?.cells)}`);
  const narrative = book.rows('Thuyết minh');
  const diffRow = narrative.find((x) => x.cells.A === '2. Khó khăn, tồn tại');
  assert.ok(diffRow, `no "2. Khó khăn, tồn tại" row in "Thuyết minh": ${JSON.stringify(narrative)}`);
  assert.equal(narrative.find((x) => x.cells.A === '1. Kết quả đạt được')?.cells.B, RESULTS_TEXT, 'the workbook carries the saved narrative');
  book.set('Thuyết minh', `B${diffRow.row}`, DIFFICULTIES_TEXT);
  const rowI23 = rowOf('I.2.3');
  book.set('Số liệu', `H${rowOf('II.4.a')}`, XLSX_VALUES['II.4.a']);

  // First a wrong value.
  book.set('Số liệu', `H${rowI23}`, 'abc');
  const badFile = path.join(OUT_DIR, 'bat-xat-bad.xlsx');
  writeFileSync(badFile, book.toBuffer());
  await uploadXlsx(page, badFile);
  const errs = (await page.locator('.error-summary li').allInnerTexts()).map(nfc);
  assert.ok(errs.some((e) => e.startsWith(`Ô H${rowI23}:`) && e.includes('"abc" không phải là số')),
    `the error summary does not name cell H${rowI23}: ${JSON.stringify(errs)}`);
  const atField = nfc(await page.locator('#excel .field-error').first().innerText().catch(() => ''));
  assert.ok(atField.startsWith(`Ô H${rowI23}:`), `the file field does not repeat the error: "${atField}"`);
  assert.equal(await page.inputValue('#f-version'), versionBefore, 'the version changed after a refused file');
  lines = await readLines(page);
  assert.equal(lineOf('I.2.3').value, '', 'I.2.3 changed after a refused file');
  assert.equal(lineOf('II.4.a').value, '', 'II.4.a changed after a refused file (all or nothing)');
  assert.equal(await page.inputValue('#f-difficulties'), '', '"Khó khăn, tồn tại" changed after a refused file');
  await shot(page, `${PREFIX}-04a-xlsx-error`);

  // The good file.
  book.set('Số liệu', `H${rowI23}`, XLSX_VALUES['I.2.3']);
  const goodFile = path.join(OUT_DIR, 'bat-xat.xlsx');
  writeFileSync(goodFile, book.toBuffer());
  await uploadXlsx(page, goodFile);
  assert.equal(pathOf(page), reportPath, `after the upload expected ${reportPath}, got ${page.url()} (errors ${JSON.stringify((await page.locator('.error-summary li').allInnerTexts()).map(nfc))})`);
  assert.equal(await flash(page), 'Đã nạp số liệu từ tệp Excel.');
  lines = await readLines(page);
  for (const [code, v] of Object.entries(XLSX_VALUES)) assert.equal(lineOf(code).value, String(v), `${code} after the upload`);
  for (const [cat, v] of Object.entries(WEB_VALUES)) assert.equal(lineOf('I.2.1', cat).value, v, `I.2.1 ${cat || 'Tổng'} after the upload`);
  assert.equal(await page.inputValue('#f-difficulties'), DIFFICULTIES_TEXT);
  assert.equal(await page.inputValue('#f-results'), RESULTS_TEXT);

  await clickNav(page, page.locator('#report-form button[value=submit]'));
  const errs2 = (await page.locator('.error-summary li').allInnerTexts()).map(nfc);
  assert.deepEqual(errs2, [], 'submitting was refused');
  assert.equal(await flash(page), 'Đã nộp báo cáo.');
  assert.equal(await state(page), 'Đã nộp');
  assert.equal(await page.locator('#report-form textarea, #report-form input.input').count(), 0, 'a submitted report is still editable');
  await shot(page, `${PREFIX}-04b-report-submitted`);
}, { critical: true, needs: () => (reportPath ? null : 'no report') });

step('5. the coordinator returns it with a comment; the officer fixes and resubmits; approved', async () => {
  page = coordPage;
  await go(page, periodPath);
  const units = await rowsOf(page.locator('table#timeliness'));
  const bx = units.find((r) => r[0] === OFFICER.agency);
  assert.equal(bx?.[1], 'Đã nộp', `Bát Xát on the period page: ${JSON.stringify(bx)}`);
  assert.match(bx?.[4] ?? '', /^Trễ \d/, `Bát Xát timeliness after submitting in ${new Date().getFullYear()}: ${JSON.stringify(bx)}`);
  await clickNav(page, page.locator('table#timeliness a', { hasText: OFFICER.agency }));
  assert.equal(pathOf(page), reportPath);
  const review = page.locator('#review');
  assert.ok(await review.count(), `no "Thẩm định" section for the coordinator on ${reportPath}`);
  await review.locator('#f-reason-return').fill(RETURN_REASON);
  await clickNav(page, review.locator('form', { has: page.locator('#f-reason-return') }).locator('button[type=submit]'));
  assert.equal(await flash(page), 'Đã trả lại báo cáo cho đơn vị.');
  assert.equal(await state(page), 'Bị trả lại');

  page = officerPage;
  await go(page, reportPath);
  assert.equal(await state(page), 'Bị trả lại');
  const reason = nfc(await page.locator('#return-reason').innerText().catch(() => ''));
  assert.equal(reason, `Lý do trả lại: ${RETURN_REASON}`);
  await shot(page, `${PREFIX}-05a-report-returned`);
  const history = nfc(await page.locator('#history').innerText());
  assert.ok(history.includes(RETURN_REASON), `the history does not show the reason: "${history}"`);

  for (const [cat, v] of Object.entries(FIXED)) await page.fill(`#f-value-${lineOf('I.2.1', cat).id}`, v);
  await clickNav(page, page.locator('#report-form button[value=submit]'));
  assert.deepEqual((await page.locator('.error-summary li').allInnerTexts()).map(nfc), [], 'resubmitting was refused');
  assert.equal(await state(page), 'Đã nộp');

  page = coordPage;
  await go(page, reportPath);
  const approve = page.locator('#review button', { hasText: 'Phê duyệt' });
  assert.ok(await approve.count(), 'no "Phê duyệt" button');
  await clickNav(page, approve);
  assert.equal(await flash(page), 'Đã phê duyệt báo cáo.');
  assert.equal(await state(page), 'Đã duyệt');
  lines = await readLines(page);
  assert.equal(lineOf('I.2.1').value, FIXED[''], 'I.2.1 as approved');
}, { critical: true, needs: () => (reportPath ? null : 'no report') });

step('6. the consolidated report and its official PDF carry the approved figures', async (t) => {
  page = coordPage;
  await go(page, periodPath);
  await clickNav(page, page.locator('.page-header a', { hasText: 'Xem báo cáo tổng hợp' }));
  consolidationPath = `${pathOf(page)}${new URL(page.url()).search}`;
  assert.equal(pathOf(page), `${programPath}/consolidation`);
  const d = await details(page);
  assert.match(d['Tình hình nộp báo cáo']?.text ?? '', /^1\/\d+ đơn vị đã nộp \(0 đúng hạn\), 1 báo cáo đã duyệt$/, `counts: ${d['Tình hình nộp báo cáo']?.text}`);
  const rows = await rowsOf(page.locator('table#consolidation'));
  const total = (code) => rows.find((r) => r[0] === code && !r[1].startsWith('Trong đó:'));
  const part = (code, cat) => rows.find((r) => r[0] === code && r[1].startsWith(`Trong đó: ${cat}`));
  assert.equal(total('I.2.1')?.[3], FIXED[''], `I.2.1 on the consolidation: ${JSON.stringify(total('I.2.1'))}`);
  assert.equal(part('I.2.1', 'LN')?.[3], WEB_VALUES.LN, `I.2.1 LN: ${JSON.stringify(part('I.2.1', 'LN'))}`);
  assert.equal(part('I.2.1', 'LNTT')?.[3], FIXED.LNTT, `I.2.1 LNTT: ${JSON.stringify(part('I.2.1', 'LNTT'))}`);
  assert.equal(total('I.2.3')?.[3], String(XLSX_VALUES['I.2.3']), `I.2.3: ${JSON.stringify(total('I.2.3'))}`);
  assert.equal(total('II.4.a')?.[3], String(XLSX_VALUES['II.4.a']), `II.4.a: ${JSON.stringify(total('II.4.a'))}`);
  // Achievement: LN 2 of the 2025 target 11; I.2.3's total lists categories
  // (LN: 4), so it is compared per category; II.4.a against its 2030 target.
  assert.ok(/18,2 %/.test(part('I.2.1', 'LN')?.[6]) && /Chưa đạt/.test(part('I.2.1', 'LN')?.[6]), `I.2.1 LN rate: ${JSON.stringify(part('I.2.1', 'LN'))}`);
  // I.2.3 has a numeric target per category (LN: 4): compared per category.
  assert.ok(total('I.2.3')?.[6]?.startsWith('So sánh theo từng loại'), `I.2.3 achievement: ${JSON.stringify(total('I.2.3'))}`);
  // II.4.a has a 2030 target only: the next milestone, and it says which.
  assert.match(total('II.4.a')?.[6] ?? '', /So với mốc năm 2030/, `II.4.a achievement: ${JSON.stringify(total('II.4.a'))}`);
  // One unit of many approved: the verdict is provisional.
  assert.ok(/tạm tính/.test(part('I.2.1', 'LN')?.[6]), `I.2.1 LN is not marked provisional: ${JSON.stringify(part('I.2.1', 'LN'))}`);
  const narr = nfc(await page.locator('#narratives').innerText());
  assert.ok(narr.includes(OFFICER.agency) && narr.includes(DIFFICULTIES_TEXT) && narr.includes(RESULTS_TEXT), `narratives: "${narr.slice(0, 500)}"`);
  await checkA11y(page);
  await shot(page, `${PREFIX}-06a-consolidation`);
  const rate = await page.evaluate(() => {
    // The first I.2.1 line with a rate (the total is compared per category).
    const tr = [...document.querySelectorAll('#consolidation tbody tr')].find((r) => r.cells[0].textContent.trim() === 'I.2.1' && r.cells[r.cells.length - 1].querySelector('strong'));
    const s = tr.cells[tr.cells.length - 1].querySelector('strong');
    return { text: s?.textContent, lines: s ? s.getClientRects().length : 0 };
  });
  assert.equal(rate.lines, 1, `the I.2.1 rate "${rate.text}" wraps over ${rate.lines} lines`);
  await page.setViewportSize({ width: 375, height: 812 });
  try {
    await go(page, consolidationPath);
    const m = await overflow(page);
    await shot(page, `${PREFIX}-06c-phone-consolidation`);
    assert.ok(m.width <= 376, `${consolidationPath} at 375 px: scrollWidth ${m.width}; wide elements: ${m.wide.join(', ') || '(none outside .table-wrap)'}`);
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
    await go(page, consolidationPath);
  }

  const pdfLink = page.locator('.page-header a', { hasText: 'Tải PDF' });
  const [download] = await Promise.all([page.waitForEvent('download'), pdfLink.click()]);
  const pdf = path.join(OUT_DIR, 'bao-cao-tong-hop-6-thang-2023.pdf');
  await download.saveAs(pdf);
  assert.equal(readFileSync(pdf).subarray(0, 5).toString('latin1'), '%PDF-', `${pdf} is not a PDF`);

  const tt = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  if (tt.error?.code === 'ENOENT') {
    if (process.env.CI) throw new Error('pdftotext not found: install poppler-utils (apt-get install poppler-utils)');
    t.skip('pdftotext (poppler-utils) is not installed');
    return;
  }
  assert.equal(tt.status, 0, `pdftotext failed: ${tt.stderr}`);
  const text = tt.stdout.normalize('NFC');
  writeFileSync(`${pdf}.txt`, text);
  for (const s of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'BÁO CÁO', 'Nơi nhận', '6 tháng đầu năm 2023', OFFICER.agency, DIFFICULTIES_TEXT.slice(0, 30)]) {
    assert.ok(text.includes(s), `the PDF lacks "${s}" (text in ${pdf}.txt)`);
  }
  // The approved figures in the indicator table: "Kỳ báo cáo" then "Lũy kế" on
  // the row of I.2.1 (up to its first "Trong đó:"), I.2.3 and II.4.a. A row's
  // cells wrap over several text lines; the figures sit on one of them.
  const rowText = (code) => {
    const at = text.search(new RegExp(`\\s${code.replace(/\./g, '\\.')}\\s`));
    if (at < 0) return '';
    const rest = text.slice(at + code.length + 2);
    const end = rest.search(/Trong đó:|\s(?:I|II|III|IV|V|PB)\.[\w.]+\s/);
    return text.slice(at, at + code.length + 2 + (end < 0 ? rest.length : end));
  };
  for (const [code, v] of [['I.2.1', FIXED['']], ['I.2.3', XLSX_VALUES['I.2.3']], ['II.4.a', XLSX_VALUES['II.4.a']]]) {
    const row = rowText(code);
    assert.ok(new RegExp(`\\s${v}\\s+${v}(\\s|$)`, 'm').test(row), `the PDF's ${code} row does not show ${v} (period) and ${v} (cumulative):\n${row}\n(text in ${pdf}.txt)`);
  }

  const png = spawnSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', pdf, path.join(SCREENSHOT_DIR, `${PREFIX}-06b-pdf`)], { encoding: 'utf8' });
  assert.equal(png.status, 0, png.error ? `pdftoppm: ${png.error.message} (install poppler-utils)` : `pdftoppm failed: ${png.stderr}`);
}, { needs: () => (reportPath ? null : 'no report') });
