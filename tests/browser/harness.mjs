// The harness of a journey whose pages all belong to the demo's administrator:
// one server and one browser for the file, ordered steps (a failed critical step
// skips the rest), a logged-in page per viewport, the language switch, and no
// JavaScript error anywhere (checked after the last step).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, SCREENSHOT_DIR } from './lib.mjs';

/** Register the journey's set-up and tear-down; returns its helpers. */
export function adminJourney(prefix) {
  const j = { server: null, browser: null, broken: null, pageErrors: [] };
  j.abs = (rel) => new URL(rel, j.server.url).href;
  j.go = (p, rel) => p.goto(j.abs(rel), { waitUntil: 'load' });

  j.step = (name, fn, { critical = false } = {}) => {
    test(name, { timeout: 90_000 }, async (t) => {
      if (j.broken) {
        t.skip(`earlier step failed: ${j.broken}`);
        return;
      }
      try {
        await fn(t);
      } catch (err) {
        if (critical) j.broken = name;
        throw err;
      }
    });
  };

  j.newPage = async ({ width, js = true, locale = 'vi-VN' }) => {
    const context = await j.browser.newContext({
      locale,
      viewport: { width, height: 900 },
      javaScriptEnabled: js,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => j.pageErrors.push(`${page.url()}: ${err.message}`));
    await j.go(page, '/login');
    await page.fill('input[name=username]', j.server.username);
    await page.fill('input[name=password]', j.server.password);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('main button[type=submit]')]);
    return page;
  };

  j.setLang = async (page, lang) => {
    // On a phone the language switch sits in the folded menu: open it first.
    const toggle = page.locator('label.nav-toggle-label');
    if (await toggle.isVisible()) await toggle.click();
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator(`form.lang-switch button[value=${lang}]`).click(),
    ]);
  };

  before(async () => {
    try {
      for (const f of readdirSync(SCREENSHOT_DIR)) {
        if (f.startsWith(`${prefix}-`)) rmSync(path.join(SCREENSHOT_DIR, f));
      }
    } catch { /* none yet */ }
    j.server = await startServer();
    j.browser = await launchBrowser();
  });

  after(async () => {
    if (j.pageErrors.length) console.log(`# JavaScript errors:\n#   ${j.pageErrors.join('\n#   ')}`);
    await j.browser?.close().catch(() => {});
    await j.server?.stop();
    assert.deepEqual(j.pageErrors, [], 'no JavaScript errors');
  });

  return j;
}
