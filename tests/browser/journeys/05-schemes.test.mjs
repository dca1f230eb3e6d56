// Journey 05 — support schemes: the admin creates a
// coordinator (Sở Công Thương Hà Nội) and two district officers (UBND huyện
// Gia Lâm, UBND quận Hà Đông); the demo scheme of 2017 shows its 9-step
// timeline chart, sample badges and an applicant left out for the budget; the
// coordinator defines a 2026 scheme (a budget in words first); the districts
// register three villages (one from the registry, two by name) and forward
// them, each seeing only its own; the coordinator checks eligibility and
// selects within the budget (3 × 250 triệu against 500 triệu: one left out,
// with the reason), records the decision, signs Bát Tràng's contract,
// monitors, accepts both contents, liquidates and settles; the programme's
// indicator II.2.1 and its budget line move; the Gia Lâm officer sees
// "Đã quyết toán" and a notification. A liquidation clicked on an older page
// is refused with the page as it is now; the scheme's form refuses a budget
// below what is selected and shows "Bạn nhập / Đã lưu" when a colleague saved first.
//
// One server (`serve --demo`), one browser with a context per person (admin,
// coordinator, two officers); the steps run in order. If a critical step
// fails, the later ones are skipped.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, shot, checkA11y, details, nfc, SCREENSHOT_DIR } from '../lib.mjs';

const PREFIX = 'schemes';

const COORD = {
  username: 'so.congthuong',
  display: 'Trần Thị Thu Hà',
  email: 'so.congthuong@hanoi.gov.vn',
  password: 'Hà Nội 2026 thương hiệu',
  role: 'coordinator',
  agency: 'Sở Công Thương thành phố Hà Nội',
  scope: '01',
};
const GIA_LAM = {
  username: 'gia.lam',
  display: 'Nguyễn Văn Lâm',
  email: 'gia.lam@hanoi.gov.vn',
  password: 'Gia Lâm gốm sứ 2026',
  role: 'officer',
  agency: 'Ủy ban nhân dân huyện Gia Lâm',
  scope: '018',
};
const HA_DONG = {
  username: 'ha.dong',
  display: 'Phạm Thị Đông',
  email: 'ha.dong@hanoi.gov.vn',
  password: 'Hà Đông lụa 2026',
  role: 'officer',
  agency: 'Ủy ban nhân dân quận Hà Đông',
  scope: '268',
};

const DEMO_TITLE = 'Hỗ trợ xây dựng thương hiệu làng nghề năm 2017';
const PROGRAM_TITLE = 'Kế hoạch triển khai “Hỗ trợ xây dựng thương hiệu làng nghề” năm 2017';
const SCHEME = {
  title: 'Hỗ trợ xây dựng thương hiệu làng nghề năm 2026',
  year: '2026',
  budget: '500 triệu đồng',
  contents: [
    'dao-tao | Tập huấn xây dựng thương hiệu | 100.000.000 | II.2.1',
    'nhan-dien | Bộ nhận diện thương hiệu | 150 triệu đồng',
  ].join('\n'),
  registeredIn: '2024, 2025',
  liquidateBy: '25/11/2026',
  steps: [
    '1/5/2026 | 31/5/2026 | hn-so-ct | Nhận hồ sơ đăng ký hỗ trợ qua UBND quận, huyện',
    '1/6/2026 | 31/8/2026 | hn-so-ct | Kiểm tra điều kiện, xét chọn và trình UBND thành phố phê duyệt',
    '1/9/2026 | 25/11/2026 | | Ký hợp đồng, thực hiện, nghiệm thu và thanh lý hợp đồng',
  ].join('\n'),
};
const BAT_TRANG = 'Làng nghề gốm sứ Bát Tràng';
const PHU_THI = { name: 'Làng nghề mây tre Phú Thị', decision: 'Quyết định số 2319/QĐ-UBND ngày 16/5/2012' };
const VAN_PHUC = {
  name: 'Làng nghề lụa Vạn Phúc (cơ sở 2)',
  decision: 'Quyết định số 1/QĐ-UBND ngày 2/1/2010',
  representative: 'HTX lụa Vạn Phúc',
};
const DECISION = { number: '5432/QĐ-UBND', date: '30/8/2026' };
const CONTRACT = { number: '01/2026/HĐ-SCT', date: '15/9/2026' };

let server;
let browser;
let page; // the page of the step running now (screenshot on failure)
let adminPage;
let coordPage;
let glPage;
let hdPage;
let broken = null; // name of the failed critical step
const pageErrors = [];

// Shared between steps.
let demoPath = null; // "/schemes/{id}" of the 2017 demo scheme
let programId = null; // id of the programme hn-2017-thuong-hieu
let schemePath = null; // "/schemes/{id}" of the new scheme
let btPath = null; // "/applications/{id}" of Bát Tràng's application
let before7 = null; // {actual, disbursed} read from the programme before the settlement

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

/** The page's flash message (the one under the breadcrumbs), or ''. */
async function flash(p) {
  const f = p.locator('.container > .flash');
  return (await f.count()) ? nfc((await f.allInnerTexts()).join(' | ')) : '';
}

const errorsOf = async (p) => (await p.locator('.error-summary li').allInnerTexts()).map(nfc);

/** The rows of a table (tbody) as arrays of cell texts. */
async function rowsOf(locator) {
  return locator.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.textContent.normalize('NFC').replace(/\s+/g, ' ').trim())));
}

/** The applications table of a scheme page: [{rank, applicant, district, state, amount, reason, href, sample}]. */
async function applications(p) {
  const table = p.locator('#applications-table');
  if (!(await table.count())) return [];
  return table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => {
    const norm = (s) => (s ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
    const a = tr.cells[1].querySelector('a');
    return {
      rank: norm(tr.cells[0].textContent),
      applicant: norm(a?.textContent),
      href: a?.getAttribute('href') ?? null,
      sample: !!tr.cells[1].querySelector('.badge'),
      district: norm(tr.cells[2].textContent),
      state: norm(tr.cells[3].textContent),
      amount: norm(tr.cells[4].textContent),
      reason: norm(tr.cells[5].textContent),
    };
  }));
}

/** Elements wider than the viewport (outside the scrolling .table-wrap and .gantt boxes), and the page's scroll width. */
async function overflow(p) {
  return p.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.table-wrap, .gantt')) continue;
      const r = el.getBoundingClientRect();
      if (r.right > vw + 1 && r.width > 0) {
        wide.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} (${Math.round(r.right)} px)`);
      }
    }
    return { width: document.documentElement.scrollWidth, vw, wide: wide.slice(0, 10) };
  });
}

/** Vietnamese integer ("250.000.000", "1") → number; "—" → 0. */
const vnInt = (s) => {
  const m = /-?[\d.]+(?:,\d+)?/.exec(s ?? '');
  return m ? Number(m[0].replace(/\./g, '').replace(',', '.')) : 0;
};

/** The programme page's II.2.1 "Kết quả" and its budget lines' "Giải ngân" (from the page), plus the JSON API. */
async function programFigures(p) {
  await go(p, `/programs/${programId}`);
  const inds = await rowsOf(p.locator('#indicators table'));
  const i = inds.find((r) => r[0] === 'II.2.1');
  assert.ok(i, `no II.2.1 row on /programs/${programId}: ${JSON.stringify(inds.map((r) => r[0]))}`);
  const budget = await rowsOf(p.locator('#budget table'));
  assert.ok(budget.length, `no budget lines on /programs/${programId}`);
  const api = async (rel) => {
    const r = await p.request.get(abs(rel));
    assert.equal(r.status(), 200, `${rel}: ${r.status()}`);
    return r.json();
  };
  const indsApi = await api(`/api/v1/programs/${programId}/indicators`);
  const budgetApi = await api(`/api/v1/programs/${programId}/budget`);
  const i221 = indsApi.items.find((x) => x.code === 'II.2.1');
  return {
    actual: i[4] === '—' ? 0 : vnInt(i[4]),
    disbursed: budget.map((r) => vnInt(r[4].split('(')[0])),
    apiActual: i221?.achievement?.actual ?? 0,
    apiSources: (i221?.actuals ?? []).map((a) => a.source),
    apiDisbursed: budgetApi.items.map((b) => b.disbursed_dong),
    rows: { indicator: i, budget },
  };
}

before(async () => {
  try {
    for (const f of readdirSync(SCREENSHOT_DIR)) {
      if (f.startsWith(`${PREFIX}-FAILED-`)) rmSync(path.join(SCREENSHOT_DIR, f));
    }
  } catch { /* no screenshots yet */ }
  server = await startServer();
  browser = await launchBrowser();
  adminPage = await newPage('admin');
  coordPage = await newPage(COORD.username);
  glPage = await newPage(GIA_LAM.username);
  hdPage = await newPage(HA_DONG.username);
});

after(async () => {
  if (pageErrors.length) {
    console.log(`# JavaScript errors seen during the journey:\n#   ${pageErrors.join('\n#   ')}`);
  }
  await browser?.close().catch(() => {});
  await server?.stop();
});

step('1. the admin creates the coordinator (Sở Công Thương Hà Nội) and the Gia Lâm and Hà Đông officers', async () => {
  page = adminPage;
  await login(page, server.username, server.password);
  for (const u of [COORD, GIA_LAM, HA_DONG]) {
    await go(page, '/users/new');
    await page.fill('#f-username', u.username);
    await page.fill('#f-display_name', u.display);
    await page.fill('#f-email', u.email);
    await page.fill('#f-password', u.password);
    await page.selectOption('#f-role', u.role);
    await page.selectOption('#f-agency', { label: u.agency }).catch(async (e) => {
      const opts = (await page.locator('#f-agency option').allInnerTexts()).map(nfc).filter((o) => /Hà Nội|Gia Lâm|Hà Đông/.test(o));
      throw new Error(`cannot pick "${u.agency}" in #f-agency (${e.message.split('\n')[0]}); Hà Nội options: ${JSON.stringify(opts)}`);
    });
    await page.fill('#f-scope', u.scope);
    await clickNav(page, page.locator('form.form button[type=submit]'));
    assert.deepEqual(await errorsOf(page), [], `creating ${u.username} was refused`);
    assert.equal(pathOf(page), '/users', `after creating ${u.username} expected /users, got ${page.url()}`);
    const list = nfc(await page.locator('main').innerText());
    assert.ok(list.includes(u.username), `/users does not list ${u.username}`);
  }
}, { critical: true });

step('2. the 2017 demo scheme: 9-step timeline chart, sample badges, one left out for the budget with the reason', async () => {
  page = coordPage;
  await login(page, COORD.username, COORD.password);
  await clickNav(page, page.locator('nav.main-nav a', { hasText: 'Hỗ trợ' }));
  assert.equal(pathOf(page), '/schemes');
  const link = page.locator('table.data-table tbody a', { hasText: DEMO_TITLE });
  assert.equal(await link.count(), 1, `no link "${DEMO_TITLE}" on /schemes: ${JSON.stringify((await rowsOf(page.locator('table.data-table'))).map((r) => r[0]))}`);
  await clickNav(page, link);
  assert.match(pathOf(page), /^\/schemes\/\d+$/);
  demoPath = pathOf(page);
  assert.equal(nfc(await page.locator('h1').innerText()), DEMO_TITLE);
  const d = await details(page);
  assert.equal(d['Kinh phí']?.text, '3.000.000.000 đồng', `"Kinh phí": ${JSON.stringify(d['Kinh phí'])}`);
  programId = Number((await page.locator('.page-header a[href^="/programs/"]').getAttribute('href')).split('/').pop());

  // The chart: an SVG image with an accessible name, one row per step.
  const svg = page.locator('#timeline .gantt svg[role=img]');
  assert.equal(await svg.count(), 1, 'no <svg role="img"> in #timeline .gantt');
  const chart = await svg.evaluate((s) => ({
    label: (s.getAttribute('aria-labelledby') || '').split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '),
    rows: s.querySelectorAll('g.row').length,
    bars: [...s.querySelectorAll('g.row')].map((g) => g.getAttribute('data-state')),
    width: s.getBoundingClientRect().width,
    height: s.getBoundingClientRect().height,
  }));
  assert.ok(nfc(chart.label).startsWith('Kế hoạch triển khai và tiến độ'), `the chart's name: "${chart.label.slice(0, 120)}"`);
  assert.equal(chart.rows, 9, `the chart has ${chart.rows} rows, the seed has 9 steps`);
  assert.ok(chart.width > 800 && chart.height > 300, `the chart is ${chart.width}×${chart.height} px`);
  const steps = await rowsOf(page.locator('#timeline table'));
  assert.equal(steps.length, 9, `the timeline table has ${steps.length} rows`);
  assert.deepEqual(steps.map((r) => r[0]), ['1', '2', '3', '4', '5', '6', '7', '8', '9']);

  // Applications: sample data, every stage, one left out for the budget.
  const apps = await applications(page);
  assert.ok(apps.length >= 10, `only ${apps.length} demo applications`);
  assert.ok(apps.every((a) => a.sample), `applications without the "Dữ liệu mẫu" badge: ${JSON.stringify(apps.filter((a) => !a.sample).map((a) => a.applicant))}`);
  assert.equal(nfc(await page.locator('#applications-table .badge-grey').first().innerText()), 'Dữ liệu mẫu');
  const out = apps.filter((a) => a.state === 'Không được chọn');
  assert.ok(out.length >= 1, `nobody "Không được chọn": ${JSON.stringify(apps.map((a) => a.state))}`);
  assert.ok(out.some((a) => /không đủ kinh phí/.test(a.reason)), `no budget reason among the left out: ${JSON.stringify(out)}`);
  for (const st of ['Đã quyết toán', 'Đã ký hợp đồng', 'Được chọn', 'Không đủ điều kiện']) {
    assert.ok(apps.some((a) => a.state === st), `no application "${st}" in the demo: ${JSON.stringify(apps.map((a) => a.state))}`);
  }
  const total = apps.reduce((s, a) => s + vnInt(a.amount === '—' ? '0' : a.amount), 0);
  assert.ok(total <= 3_000_000_000, `the demo grants ${total} đồng of 3 tỷ`);
  await shot(page, `${PREFIX}-02-demo-scheme`);
  await page.locator('#timeline').screenshot({ path: path.join(SCREENSHOT_DIR, `${PREFIX}-02b-demo-gantt.png`) });
}, { critical: true });

step('3. the coordinator defines a 2026 scheme (a budget in words first: the error summary)', async () => {
  page = coordPage;
  await go(page, '/schemes');
  const create = page.locator('.page-header a', { hasText: 'Tạo chương trình hỗ trợ' });
  assert.equal(await create.count(), 1, 'no "Tạo chương trình hỗ trợ" link on /schemes for the coordinator');
  await clickNav(page, create);
  assert.equal(pathOf(page), '/schemes/new');
  const option = page.locator('#f-program_id option', { hasText: PROGRAM_TITLE });
  assert.equal(await option.count(), 1, `no programme option "${PROGRAM_TITLE}": ${JSON.stringify((await page.locator('#f-program_id option').allInnerTexts()).map(nfc).filter((o) => /thương hiệu/.test(o)))}`);
  await page.selectOption('#f-program_id', await option.getAttribute('value'));
  await page.fill('#f-title', SCHEME.title);
  await page.fill('#f-year', SCHEME.year);
  await page.fill('#f-budget', 'nhiều');
  await page.fill('#f-contents', SCHEME.contents);
  await page.check('#f-village_recognised');
  await page.check('#f-registered_through_unit');
  await page.fill('#f-registered_in', SCHEME.registeredIn);
  await page.check('#f-all_contents');
  await page.selectOption('#f-fair_share', 'round_robin');
  await page.fill('#f-liquidate_by', SCHEME.liquidateBy);
  await page.fill('#f-steps', SCHEME.steps);
  await clickNav(page, page.locator('form.form button[type=submit]'));

  assert.equal(pathOf(page), '/schemes', `a bad budget should keep the form, got ${page.url()}`);
  const summary = page.locator('.error-summary');
  assert.ok(await summary.count(), `no .error-summary after budget "nhiều" (flash "${await flash(page)}")`);
  const links = await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['#f-budget'], `error summary links ${JSON.stringify(links)} (${JSON.stringify(await errorsOf(page))})`);
  const fieldErr = nfc(await page.locator('.field-error').first().innerText().catch(() => ''));
  assert.ok(fieldErr.includes('nhiều'), `the budget's error does not quote the value: "${fieldErr}"`);
  // Everything typed is kept.
  assert.equal(await page.inputValue('#f-budget'), 'nhiều');
  assert.equal(await page.inputValue('#f-title'), SCHEME.title);
  assert.equal(await page.inputValue('#f-contents'), SCHEME.contents);
  assert.equal(await page.inputValue('#f-steps'), SCHEME.steps);
  assert.equal(await page.inputValue('#f-registered_in'), SCHEME.registeredIn);
  assert.equal(await page.inputValue('#f-liquidate_by'), SCHEME.liquidateBy);
  assert.equal(await page.inputValue('#f-program_id'), await option.getAttribute('value'), 'the programme was not kept');
  for (const c of ['#f-village_recognised', '#f-registered_through_unit', '#f-all_contents']) {
    assert.ok(await page.isChecked(c), `${c} was not kept checked`);
  }
  assert.ok(!(await page.isChecked('#f-has_legal_status')), '#f-has_legal_status became checked');
  await shot(page, `${PREFIX}-03a-new-scheme-error`);

  await page.fill('#f-budget', SCHEME.budget);
  await clickNav(page, page.locator('form.form button[type=submit]'));
  assert.match(pathOf(page), /^\/schemes\/\d+$/, `creating the scheme did not land on /schemes/{id} (at ${page.url()}; errors ${JSON.stringify(await errorsOf(page))})`);
  schemePath = pathOf(page);
  assert.equal(await flash(page), 'Đã lưu.');
  assert.equal(nfc(await page.locator('h1').innerText()), SCHEME.title);
  const d = await details(page);
  assert.equal(d['Kinh phí']?.text, '500.000.000 đồng');
  assert.equal(d['Trạng thái']?.text, 'Nhận hồ sơ', `status: ${JSON.stringify(d['Trạng thái'])}`);
  assert.equal(d['Thanh lý hợp đồng trước ngày']?.text, '25/11/2026');
  const contents = await rowsOf(page.locator('#contents-table'));
  assert.deepEqual(contents, [['Tập huấn xây dựng thương hiệu', '100.000.000'], ['Bộ nhận diện thương hiệu', '150.000.000']]);
  const rulesText = nfc(await page.locator('#rules').innerText());
  for (const s of ['Làng nghề đã được UBND cấp tỉnh công nhận', 'Đăng ký qua UBND cấp huyện/xã', 'Đã đăng ký các năm 2024, 2025', 'Đăng ký đủ các nội dung hỗ trợ', 'Phân bổ hợp lý giữa các quận, huyện']) {
    assert.ok(rulesText.includes(s), `the rules do not say "${s}": "${rulesText}"`);
  }
  assert.ok(!rulesText.includes('tư cách pháp nhân'), `an unchecked rule is listed: "${rulesText}"`);
  const steps = await rowsOf(page.locator('#timeline table'));
  assert.equal(steps.length, 3, `steps: ${JSON.stringify(steps)}`);
  assert.equal(steps[0][2], COORD.agency, `the lead of step 1: ${JSON.stringify(steps[0])}`);
  assert.equal(steps[2][3], '25/11/2026');
  assert.equal(await page.locator('#timeline .gantt svg[role=img] g.row').count(), 3, 'the chart has not 3 rows');
  await shot(page, `${PREFIX}-03b-new-scheme`);
}, { critical: true });

/** Register an applicant through the "Đăng ký tham gia" form of the scheme page. */
async function register(p, { village = null, name = null, decision = null, years = '', representative = '', all = false, screenshot = null }) {
  await go(p, schemePath);
  const det = p.locator('#applications details.add-form', { hasText: 'Đăng ký tham gia' });
  assert.equal(await det.count(), 1, `no "Đăng ký tham gia" form on ${schemePath}`);
  await det.locator('summary').click();
  const form = det.locator('form');
  if (village) {
    const opt = form.locator('#f-village_id option', { hasText: village });
    assert.equal(await opt.count(), 1, `no "${village}" in the village select (${await form.locator('#f-village_id option').count()} options)`);
    await form.locator('#f-village_id').selectOption(await opt.getAttribute('value'));
  }
  if (name) await form.locator('#f-applicant').fill(name);
  if (decision) await form.locator('#f-recognised_by').fill(decision);
  for (const k of ['dao-tao', 'nhan-dien']) assert.ok(await form.locator(`#f-content-${k}`).isChecked(), `content ${k} is not checked by default`);
  await form.locator('#f-earlier_years').fill(years);
  await form.locator('#f-representative').fill(representative);
  for (const k of ['legal_status', 'has_seal', 'bank_account']) {
    if (all) await form.locator(`#f-${k}`).check();
  }
  if (screenshot) await shot(p, screenshot);
  await clickNav(p, form.locator('button[type=submit]'));
  assert.equal(pathOf(p), schemePath, `after registering expected ${schemePath}, got ${p.url()} (errors ${JSON.stringify(await errorsOf(p))})`);
  assert.deepEqual(await errorsOf(p), [], `registering ${village || name} was refused`);
  assert.equal(await flash(p), 'Đã nhận hồ sơ đăng ký.');
}

async function forward(p, n) {
  await go(p, schemePath);
  const btn = p.locator('#applications button', { hasText: 'Gửi hồ sơ lên Sở' });
  assert.equal(await btn.count(), 1, 'no "Gửi hồ sơ lên Sở" button');
  await clickNav(p, btn);
  assert.equal(await flash(p), `Đã gửi ${n} hồ sơ lên Sở.`);
  assert.equal(await btn.count(), 0, '"Gửi hồ sơ lên Sở" is still offered with nothing left to forward');
}

step('4. the districts register three villages and forward them; each sees its own only', async () => {
  page = glPage;
  await login(page, GIA_LAM.username, GIA_LAM.password);
  await go(page, schemePath);
  assert.equal(await page.locator('#applications button', { hasText: 'Kiểm tra điều kiện' }).count(), 0, 'an officer sees "Kiểm tra điều kiện"');
  assert.equal(await page.locator('#applications button', { hasText: 'Xét chọn' }).count(), 0, 'an officer sees "Xét chọn"');
  await register(page, { village: BAT_TRANG, years: '2025', representative: 'UBND xã Bát Tràng', all: true });
  await register(page, { name: PHU_THI.name, decision: PHU_THI.decision });
  let apps = await applications(page);
  assert.deepEqual(apps.map((a) => [a.applicant, a.state]).sort(), [[BAT_TRANG, 'Đã đăng ký'], [PHU_THI.name, 'Đã đăng ký']], `Gia Lâm's table: ${JSON.stringify(apps)}`);
  // "Địa bàn" is the district for both: a registry village's commune counts under its district.
  assert.deepEqual(apps.map((a) => a.district).sort(), ['Huyện Gia Lâm', 'Huyện Gia Lâm'], `districts: ${JSON.stringify(apps)}`);
  await forward(page, 2);
  apps = await applications(page);
  assert.ok(apps.every((a) => a.state === 'Đã gửi lên Sở'), `after forwarding: ${JSON.stringify(apps.map((a) => a.state))}`);
  btPath = apps.find((a) => a.applicant === BAT_TRANG)?.href;
  assert.match(btPath ?? '', /^\/applications\/\d+$/);
  await shot(page, `${PREFIX}-04a-gia-lam-registered`);

  page = hdPage;
  await login(page, HA_DONG.username, HA_DONG.password);
  await register(page, { name: VAN_PHUC.name, decision: VAN_PHUC.decision, representative: VAN_PHUC.representative, all: true, screenshot: `${PREFIX}-04b-ha-dong-register-form` });
  await forward(page, 1);
  apps = await applications(page);
  assert.deepEqual(apps.map((a) => [a.applicant, a.state]), [[VAN_PHUC.name, 'Đã gửi lên Sở']], `Hà Đông's table: ${JSON.stringify(apps)}`);
  // Hà Đông cannot open Gia Lâm's application.
  const r = await page.request.get(abs(btPath));
  assert.equal(r.status(), 404, `Hà Đông opens ${btPath}: ${r.status()}`);

  page = glPage;
  await go(page, schemePath);
  apps = await applications(page);
  assert.equal(apps.length, 2, `Gia Lâm sees ${JSON.stringify(apps.map((a) => a.applicant))}`);
}, { critical: true });

step('5. eligibility, then selection within the budget: one left out with the reason; the decision', async () => {
  page = coordPage;
  await go(page, schemePath);
  let apps = await applications(page);
  assert.equal(apps.length, 3, `the department sees ${JSON.stringify(apps.map((a) => a.applicant))}`);
  await clickNav(page, page.locator('#applications button', { hasText: 'Kiểm tra điều kiện' }));
  assert.equal(await flash(page), 'Đã kiểm tra: 3 hồ sơ đủ điều kiện, 0 không đủ.');
  apps = await applications(page);
  assert.ok(apps.every((a) => a.state === 'Đủ điều kiện'), `after the check: ${JSON.stringify(apps.map((a) => [a.applicant, a.state]))}`);

  await clickNav(page, page.locator('#applications button', { hasText: 'Xét chọn theo thứ tự ưu tiên' }));
  assert.equal(await flash(page), 'Đã xét chọn: 2 hồ sơ được hỗ trợ.');
  apps = await applications(page);
  const chosen = apps.filter((a) => a.state === 'Được chọn');
  const out = apps.filter((a) => a.state === 'Không được chọn');
  assert.equal(chosen.length, 2, `selected: ${JSON.stringify(apps)}`);
  assert.equal(out.length, 1, `not selected: ${JSON.stringify(apps)}`);
  assert.ok(chosen.every((a) => a.amount === '250.000.000'), `amounts: ${JSON.stringify(chosen)}`);
  assert.match(out[0].reason, /không đủ kinh phí/, `the reason of ${out[0].applicant}: "${out[0].reason}"`);
  assert.match(out[0].reason, /còn 0 đồng, cần 250\.000\.000 đồng/, `the reason of ${out[0].applicant}: "${out[0].reason}"`);
  assert.equal(out[0].applicant, PHU_THI.name, 'round robin leaves Gia Lâm\'s second village out');
  const bt = apps.find((a) => a.applicant === BAT_TRANG);
  assert.equal(bt.rank, '1', `Bát Tràng (registered in 2025) ranks ${bt.rank}`);
  const d = await details(page);
  assert.match(d['Kinh phí đã xét chọn']?.text ?? '', /^500\.000\.000 đồng \(còn lại: 0 đồng\)$/, `"Kinh phí đã xét chọn": ${d['Kinh phí đã xét chọn']?.text}`);
  await page.locator('#applications').scrollIntoViewIfNeeded();
  await shot(page, `${PREFIX}-05a-selection`);

  const det = page.locator('#applications details.add-form', { hasText: 'Ghi quyết định phê duyệt danh sách' });
  assert.equal(await det.count(), 1, 'no "Ghi quyết định phê duyệt danh sách" form');
  await det.locator('summary').click();
  await det.locator('#f-number').fill(DECISION.number);
  await det.locator('#f-issued_on').fill(DECISION.date);
  await clickNav(page, det.locator('button[type=submit]'));
  assert.deepEqual(await errorsOf(page), [], 'the decision was refused');
  assert.equal(await flash(page), 'Đã lưu.');
  const d2 = await details(page);
  assert.ok(d2['Quyết định phê duyệt']?.text.startsWith(DECISION.number), `"Quyết định phê duyệt": ${JSON.stringify(d2['Quyết định phê duyệt'])}`);
  assert.match(d2['Quyết định phê duyệt']?.href ?? '', /^\/documents\/\d+$/);
  assert.equal(await page.locator('#applications details.add-form', { hasText: 'Ghi quyết định' }).count(), 0, 'the decision form is still offered');
}, { critical: true });

step('6. Bát Tràng: contract, monitoring visit, acceptance of both contents, liquidation, settlement', async () => {
  page = coordPage;
  before7 = await programFigures(page);
  await go(page, btPath);
  assert.equal(nfc(await page.locator('h1').innerText()), BAT_TRANG);
  assert.equal(nfc(await page.locator('#app-state').innerText()), 'Được chọn');
  const elig = (await page.locator('.checklist li').allInnerTexts()).map(nfc);
  assert.equal(elig.length, 2, `eligibility results: ${JSON.stringify(elig)}`);
  assert.ok(elig.every((e) => e.startsWith('Có')), `eligibility results: ${JSON.stringify(elig)}`);

  const contract = page.locator('#contract form');
  await contract.locator('#f-number').fill(CONTRACT.number);
  await contract.locator('#f-date').fill(CONTRACT.date);
  await clickNav(page, contract.getByRole('button', { name: 'Ký hợp đồng' }));
  assert.deepEqual(await errorsOf(page), [], 'signing was refused');
  assert.equal(await flash(page), 'Đã lưu.');
  assert.equal(nfc(await page.locator('#app-state').innerText()), 'Đã ký hợp đồng');
  const k = await page.locator('#contract dl.details').evaluate((dl) => Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent.trim(), dt.nextElementSibling.textContent.normalize('NFC').trim()])));
  assert.equal(k['Số hợp đồng'], CONTRACT.number);
  assert.equal(k['Ngày ký'], CONTRACT.date);
  assert.equal(k['Kinh phí (đồng)'], '250.000.000 đồng', JSON.stringify(k));
  assert.ok(k['Các bên'].includes('UBND xã Bát Tràng'), `parties: "${k['Các bên']}"`);

  const visit = page.locator('#monitoring form', { hasText: 'Ghi kết quả kiểm tra' });
  await visit.locator('input[name=date]').fill('20/10/2026');
  await visit.locator('input[name=progress]').fill('50');
  await visit.locator('textarea[name=note]').fill('Đã tập huấn xong; đang thiết kế bộ nhận diện.');
  await clickNav(page, visit.locator('button[type=submit]'));
  assert.deepEqual(await errorsOf(page), [], 'the visit was refused');
  const visits = nfc(await page.locator('#monitoring ul').first().innerText());
  assert.ok(visits.includes('20/10/2026 — 50 %: Đã tập huấn xong'), `visits: "${visits}"`);

  // Acceptance, one content at a time.
  for (const key of ['dao-tao', 'nhan-dien']) {
    const f = page.locator(`#contract form:has(input[name=content][value="${key}"])`);
    assert.equal(await f.count(), 1, `no acceptance form for ${key}`);
    await f.locator('input[name=date]').fill('10/11/2026');
    await clickNav(page, f.locator('button'));
    assert.deepEqual(await errorsOf(page), [], `accepting ${key} was refused`);
  }
  assert.equal(nfc(await page.locator('#app-state').innerText()), 'Đã nghiệm thu');
  const acc = await rowsOf(page.locator('#contract table'));
  assert.deepEqual(acc, [['Tập huấn xây dựng thương hiệu', '100.000.000', '10/11/2026'], ['Bộ nhận diện thương hiệu', '150.000.000', '10/11/2026']], 'acceptance table');
  await shot(page, `${PREFIX}-06a-application-accepted`);

  // The same page open in a second tab (a colleague's): the first liquidation
  // counts; the click on the older page is refused with the page as it is now.
  const tab = await page.context().newPage();
  try {
    await go(tab, btPath);
    const liq = page.locator('#monitoring form', { has: page.getByRole('button', { name: 'Thanh lý hợp đồng' }) });
    await liq.locator('input[name=date]').fill('20/11/2026');
    await clickNav(page, liq.locator('button[type=submit]'));
    assert.deepEqual(await errorsOf(page), [], 'liquidation was refused');
    assert.equal(nfc(await page.locator('#app-state').innerText()), 'Đã thanh lý');
    const old = tab.locator('#monitoring form', { has: tab.getByRole('button', { name: 'Thanh lý hợp đồng' }) });
    const [res] = await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), old.locator('button[type=submit]').click()]);
    assert.equal(res?.status(), 409, `a second liquidation from an older page: ${res?.status()}`);
    const why = await errorsOf(tab);
    assert.ok(why.some((e) => e.includes('người khác thay đổi')), `the refusal says why: ${JSON.stringify(why)}`);
    assert.equal(nfc(await tab.locator('#app-state').innerText()), 'Đã thanh lý', 'the refused page shows the state as it is now');
    await shot(tab, `${PREFIX}-06c-second-liquidation-refused`);
  } finally {
    await tab.close();
  }

  const settle = page.locator('#monitoring form', { has: page.getByRole('button', { name: 'Quyết toán và chi trả' }) });
  assert.equal(await settle.locator('input[name=amount]').inputValue(), '250.000.000', 'the amount to pay defaults to the contract');
  await settle.locator('input[name=date]').fill('21/11/2026');
  await clickNav(page, settle.locator('button[type=submit]'));
  assert.deepEqual(await errorsOf(page), [], 'settlement was refused');
  assert.equal(nfc(await page.locator('#app-state').innerText()), 'Đã quyết toán');
  const paid = nfc(await page.locator('#monitoring').innerText());
  assert.ok(paid.includes('21/11/2026: 250.000.000 đồng'), `disbursements: "${paid}"`);
  const history = (await page.locator('#events li').allInnerTexts()).map(nfc);
  for (const s of ['Đăng ký', 'Gửi lên Sở', 'Kiểm tra điều kiện', 'Xét chọn', 'Ký hợp đồng', 'Thanh lý hợp đồng', 'Quyết toán']) {
    assert.ok(history.some((h) => h.includes(`: ${s} →`)), `no "${s}" in the history: ${JSON.stringify(history)}`);
  }
  await shot(page, `${PREFIX}-06b-application-settled`);
}, { critical: true });

step('7. the programme moved (II.2.1, disbursed 250.000.000); Gia Lâm sees "Đã quyết toán" and a notification', async () => {
  page = coordPage;
  const now = await programFigures(page);
  assert.equal(now.actual, before7.actual + 1, `II.2.1 "Kết quả" ${JSON.stringify(before7.rows.indicator)} → ${JSON.stringify(now.rows.indicator)}`);
  assert.equal(now.apiActual, before7.apiActual + 1, `II.2.1 through the API: ${before7.apiActual} → ${now.apiActual}`);
  assert.ok(now.apiSources.some((s) => s === `application:${btPath.split('/').pop()}:dao-tao`), `II.2.1 sources: ${JSON.stringify(now.apiSources)}`);
  const moved = now.disbursed.map((v, i) => v - before7.disbursed[i]);
  assert.ok(moved.includes(250_000_000), `the budget's "Giải ngân" did not move by 250.000.000: ${JSON.stringify(before7.rows.budget)} → ${JSON.stringify(now.rows.budget)}`);
  assert.ok(now.apiDisbursed.some((v, i) => v - before7.apiDisbursed[i] === 250_000_000), `API disbursed ${JSON.stringify(before7.apiDisbursed)} → ${JSON.stringify(now.apiDisbursed)}`);
  await page.locator('#indicators').scrollIntoViewIfNeeded();
  await shot(page, `${PREFIX}-07a-programme`);

  page = glPage;
  await go(page, schemePath);
  const apps = await applications(page);
  assert.equal(apps.find((a) => a.applicant === BAT_TRANG)?.state, 'Đã quyết toán', `Gia Lâm's table: ${JSON.stringify(apps)}`);
  await go(page, btPath);
  assert.equal(nfc(await page.locator('#app-state').innerText()), 'Đã quyết toán');
  assert.equal(await page.locator('#contract form, #monitoring form').count(), 0, 'the officer is offered department actions');
  await go(page, '/notifications');
  const notes = await page.locator('.notice-list li').evaluateAll((lis) => lis.map((li) => ({
    text: li.textContent.normalize('NFC').replace(/\s+/g, ' ').trim(),
    href: li.querySelector('a')?.getAttribute('href') ?? null,
  })));
  const n = notes.find((x) => x.text.startsWith(`Hồ sơ ${BAT_TRANG}: Đã quyết toán`));
  assert.ok(n, `no "Hồ sơ ${BAT_TRANG}: Đã quyết toán" notification: ${JSON.stringify(notes.map((x) => x.text))}`);
  assert.equal(n.href, btPath);
  assert.ok(notes.some((x) => x.text.startsWith(`Hồ sơ ${PHU_THI.name}: Không được chọn`)), `Phú Thị's unit was not told: ${JSON.stringify(notes.map((x) => x.text))}`);
  await shot(page, `${PREFIX}-07b-notifications`);
}, { needs: () => (btPath && before7 ? null : 'no settled application') });

step('7b. the coordinator changes the scheme from its form; a save from an older form shows "Bạn nhập / Đã lưu"', async () => {
  page = coordPage;
  await go(page, schemePath);
  const edit = page.locator(`.page-header a[href="${schemePath}/edit"]`);
  assert.equal(await edit.count(), 1, `no "Sửa" link to ${schemePath}/edit`);
  await clickNav(page, edit);
  assert.equal(nfc(await page.inputValue('#f-title')), SCHEME.title, 'the form does not show the stored title');
  assert.equal(await page.inputValue('#f-budget'), '500.000.000');
  assert.ok((await page.inputValue('#f-contents')).startsWith('dao-tao | '), `contents: "${await page.inputValue('#f-contents')}"`);
  // Below what is selected: refused by name, the typing kept.
  await page.fill('#f-budget', '400 triệu đồng');
  await clickNav(page, page.locator('form.form button[type=submit]'));
  const links = await page.locator('.error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['#f-budget'], `error summary links ${JSON.stringify(links)} (${JSON.stringify(await errorsOf(page))})`);
  assert.ok((await errorsOf(page)).some((e) => e.includes('500.000.000')), JSON.stringify(await errorsOf(page)));
  assert.equal(await page.inputValue('#f-budget'), '400 triệu đồng');
  // The same form in a colleague's tab saves first; mine is then a 409 with both values.
  const tab = await page.context().newPage();
  try {
    await go(tab, `${schemePath}/edit`);
    await tab.fill('#f-liquidate_by', '30/11/2026');
    await clickNav(tab, tab.locator('form.form button[type=submit]'));
    assert.equal(pathOf(tab), schemePath, `the colleague's save went to ${tab.url()}`);
  } finally {
    await tab.close();
  }
  await page.fill('#f-budget', '600 triệu đồng');
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('form.form button[type=submit]').click()]);
  assert.equal(res?.status(), 409, `a save from the older form: ${res?.status()}`);
  const rows = await page.locator('#conflict table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.normalize('NFC').trim())));
  const liq = rows.find((r) => r[0] === 'Thanh lý hợp đồng trước ngày');
  assert.deepEqual(liq, ['Thanh lý hợp đồng trước ngày', '25/11/2026', '30/11/2026'], `conflict rows ${JSON.stringify(rows)}`);
  assert.equal(await page.inputValue('#f-budget'), '600 triệu đồng', 'the typing was not kept');
  await shot(page, `${PREFIX}-07c-scheme-conflict`);
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await shot(page, `${PREFIX}-07c-scheme-conflict-phone`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 391, `the conflict page at 390 px is ${width} px wide`);
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  await checkA11y(page);
  // Take the colleague's date, keep my budget, save again.
  await page.fill('#f-liquidate_by', '30/11/2026');
  await clickNav(page, page.locator('form.form button[type=submit]'));
  assert.equal(pathOf(page), schemePath, `saving again went to ${page.url()} (${JSON.stringify(await errorsOf(page))})`);
  const d = await details(page);
  assert.equal(d['Kinh phí']?.text, '600.000.000 đồng');
  assert.equal(d['Thanh lý hợp đồng trước ngày']?.text, '30/11/2026');
}, { needs: () => (schemePath ? null : 'no scheme') });

step('8. accessibility of the scheme and application pages; the scheme page at phone width', async () => {
  page = coordPage;
  for (const p of [schemePath, demoPath, btPath, '/schemes/new', `${schemePath}/edit`, '/schemes', '/contracts']) {
    await go(page, p);
    await checkA11y(page);
  }
  page = glPage;
  await go(page, schemePath);
  await checkA11y(page);

  page = coordPage;
  await page.setViewportSize({ width: 375, height: 812 });
  try {
    for (const [p, name] of [[demoPath, 'demo'], [schemePath, 'new']]) {
      await go(page, p);
      const m = await overflow(page);
      await shot(page, `${PREFIX}-08-phone-${name}-scheme`);
      assert.ok(m.width <= 376, `${p} at 375 px: scrollWidth ${m.width}; wide elements: ${m.wide.join(', ') || '(none outside .table-wrap/.gantt)'}`);
      const g = await page.locator('#timeline .gantt').evaluate((el) => ({
        box: el.clientWidth, content: el.scrollWidth, overflowX: getComputedStyle(el).overflowX, tabindex: el.getAttribute('tabindex'),
      }));
      assert.ok(g.box <= 375 && g.content > g.box, `the Gantt box does not scroll inside itself: ${JSON.stringify(g)}`);
      assert.ok(['auto', 'scroll'].includes(g.overflowX), `the Gantt box's overflow-x: ${g.overflowX}`);
      assert.equal(g.tabindex, '0', 'the scrolling Gantt box is not reachable by keyboard (tabindex="0")');
      await checkA11y(page);
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
}, { needs: () => (schemePath && btPath ? null : 'no scheme') });
