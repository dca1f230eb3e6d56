// The static style guide (crates/web/static/styleguide.html) renders every
// class of app.css. No server needed: checks accessibility (axe) and that the
// phone layout does not scroll sideways, and saves screenshots for review.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, launchBrowser, shot, checkA11y } from '../lib.mjs';

const STYLEGUIDE = pathToFileURL(path.join(REPO_ROOT, 'crates', 'web', 'static', 'styleguide.html')).href;
let browser;

before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

for (const width of [1280, 375]) {
  test(`style guide at ${width}px: accessible, no sideways scrolling`, async () => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    try {
      await page.goto(STYLEGUIDE);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      assert.ok(scrollWidth <= clientWidth,
        `page is ${scrollWidth}px wide in a ${clientWidth}px viewport (only .table-wrap may scroll sideways)`);
      await shot(page, `styleguide-${width}`);
      await checkA11y(page);
    } finally {
      await page.close();
    }
  });
}
