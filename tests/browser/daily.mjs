// Helpers shared by journeys 07 (officer's day) and 08 (coordinator's day).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shot, nfc } from './lib.mjs';

/** A journey's shared state and its ordered steps (a failed critical step skips the rest). */
export function journey(prefix) {
  const j = { server: null, browser: null, page: null, broken: null, errors: [], prefix };
  j.abs = (rel) => new URL(rel, j.server.url).href;
  j.go = (p, rel) => p.goto(j.abs(rel), { waitUntil: 'load' });
  j.step = (name, fn, { critical = false } = {}) => {
    test(name, async (t) => {
      if (j.broken) {
        t.skip(`earlier step failed: ${j.broken}`);
        return;
      }
      try {
        await fn(t);
      } catch (err) {
        if (critical) j.broken = name;
        if (j.page) {
          try {
            const file = await shot(j.page, `${prefix}-FAILED-${name.slice(0, 40).replace(/[^\w-]+/g, '_')}`);
            err.message += `\n(page: ${j.page.url()}; screenshot: ${file})`;
          } catch { /* page may be gone */ }
        }
        throw err;
      }
    });
  };
  j.newPage = async (label, width = 1366) => {
    const context = await j.browser.newContext({ locale: 'vi-VN', viewport: { width, height: 900 } });
    const p = await context.newPage();
    p.setDefaultTimeout(20_000);
    p.on('pageerror', (err) => j.errors.push(`[${label}] ${p.url()}: ${err.message}`));
    return p;
  };
  j.login = async (p, username, password) => {
    await j.go(p, '/login');
    await p.fill('input[name=username]', username);
    await p.fill('input[name=password]', password);
    await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.click('button[type=submit]')]);
    assert.notEqual(new URL(p.url()).pathname, '/login', `login as ${username} failed`);
  };
  /** A JSON call with the page's session and CSRF token. */
  j.api = async (p, method, rel, data) => {
    const csrf = await p.locator('input[name=csrf_token]').first().inputValue();
    const res = await p.request.fetch(j.abs(rel), { method, data, headers: { 'x-csrf-token': csrf } });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status(), json, text };
  };
  j.clickNav = async (p, locator) => {
    await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  };
  j.setLang = async (p, lang) => {
    // The switch lives in the header (in the folded menu on phones).
    const toggle = p.locator('label.nav-toggle-label');
    if (await toggle.isVisible().catch(() => false)) await toggle.click();
    await j.clickNav(p, p.locator(`form.lang-switch button[value=${lang}]`));
    assert.equal(await p.getAttribute('html', 'lang'), lang);
  };
  /** The to-do items of the page: [{kind, state, title, detail, days}]. */
  j.todo = async (p) => p.locator('ul.todo-list > li').evaluateAll((lis) => lis.map((li) => {
    const norm = (s) => (s ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
    const cls = [...li.classList];
    return {
      kind: (cls.find((c) => c.startsWith('todo-kind-')) ?? '').replace('todo-kind-', ''),
      state: (cls.find((c) => c.startsWith('todo-') && !c.startsWith('todo-kind-') && c !== 'todo-item') ?? '').replace('todo-', ''),
      title: norm(li.querySelector('a')?.textContent),
      href: li.querySelector('a')?.getAttribute('href'),
      detail: norm(li.querySelector('.todo-detail')?.textContent),
      days: norm(li.querySelector('.todo-days')?.textContent),
    };
  }));
  /** Page wider than the viewport? Returns [] or the widest offenders. */
  j.sideways = async (p) => p.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= vw + 1) return [];
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.table-wrap')) continue;
      const r = el.getBoundingClientRect();
      if (r.right > vw + 1 && r.width > 0) wide.push(`${el.tagName.toLowerCase()}.${String(el.className).trim().split(/\s+/).join('.')} (${Math.round(r.right)} px)`);
    }
    return [`scrollWidth ${document.documentElement.scrollWidth} > ${vw}`, ...wide.slice(0, 8)];
  });
  /** Screenshots of the current page at 1366 and 390 px (back to 1366 after). */
  j.shots = async (p, name) => {
    await p.setViewportSize({ width: 1366, height: 900 });
    await shot(p, `daily-${name}-1366`);
    await p.setViewportSize({ width: 390, height: 844 });
    await p.reload({ waitUntil: 'load' });
    await shot(p, `daily-${name}-390`);
    const wide = await j.sideways(p);
    await p.setViewportSize({ width: 1366, height: 900 });
    assert.deepEqual(wide, [], `${name} scrolls sideways at 390 px`);
  };
  j.nfc = nfc;
  return j;
}

/** Create an account through the API of the admin's page. */
export async function createUser(j, adminPage, u) {
  const r = await j.api(adminPage, 'POST', '/api/v1/users', {
    username: u.username, display_name: u.display, password: u.password, role: u.role, agency: u.agency, scope: u.scope,
  });
  assert.equal(r.status, 201, `creating ${u.username}: ${r.status} ${r.text.slice(0, 300)}`);
}

/** The id of the Lào Cai plan 316/KH-UBND. */
export async function laoCaiPlan(j, p) {
  const r = await j.api(p, 'GET', '/api/v1/programs?q=316&limit=10');
  const plan = r.json?.items?.find((x) => x.key === 'lc-316-2022');
  assert.ok(plan, `the Lào Cai plan is listed: ${r.text.slice(0, 300)}`);
  return plan.id;
}
