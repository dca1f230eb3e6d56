// Helpers for the langnghe browser journeys.
//
// - startServer(): runs `langnghe serve --demo` on a free port with a fresh data dir.
// - launchBrowser(): Debian's chromium through playwright-core (no downloaded browsers).
// - shot(page, name): full-page PNG in <repo>/target/screenshots/<name>.png.
// - checkA11y(page): axe-core; throws on serious/critical violations.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Repository root (tests/browser/../..). */
export const REPO_ROOT = path.resolve(here, '..', '..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'target', 'screenshots');

const READY_TIMEOUT_MS = 60_000;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const RE_URL = /^URL:\s+(\S+)/;
const RE_LOGIN = /^Login:\s+(\S+)/;
const RE_PASSWORD = /^Password:\s+(\S+)/;

/** Path of the server binary: $LANGNGHE_BIN or <repo>/target/debug/langnghe. */
export function serverBinary() {
  const bin = process.env.LANGNGHE_BIN || path.join('target', 'debug', 'langnghe');
  return path.resolve(REPO_ROOT, bin);
}

/**
 * Start `langnghe serve --demo --data-dir <tmp> --bind 127.0.0.1:0` and wait for
 * the three banner lines (URL / Login / Password) on stdout.
 * @returns {Promise<{url: string, username: string, password: string, dataDir: string, output: () => string, stop: () => Promise<void>}>}
 */
export async function startServer({ extraArgs = [], env = {} } = {}) {
  const bin = serverBinary();
  if (!existsSync(bin)) {
    throw new Error(`langnghe binary not found at ${bin} (build it first, or set LANGNGHE_BIN)`);
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'langnghe-e2e-'));
  const args = ['serve', '--demo', '--data-dir', dataDir, '--bind', '127.0.0.1:0', ...extraArgs];
  const child = spawn(bin, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const log = [];
  const output = () => log.join('\n');
  let exited = null; // {code, signal} once the process has gone
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => { exited = { code, signal }; resolve(exited); });
  });
  // 'close' fires once stdout/stderr are drained too, so the log is complete.
  const closePromise = new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* already gone */ } };
  process.once('exit', killOnExit);

  const found = {};
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 5_000);
      await exitPromise;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };

  const ready = new Promise((resolve, reject) => {
    const fail = (why) => {
      reject(new Error(`${why}\ncommand: ${bin} ${args.join(' ')}\n--- server output ---\n${output() || '(none)'}\n---------------------`));
    };
    const timer = setTimeout(() => fail(`server did not print URL/Login/Password within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    const onLines = (stream, isStdout) => {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).replace(/\r$/, '').replace(ANSI, '');
          buf = buf.slice(nl + 1);
          log.push(isStdout ? line : `[stderr] ${line}`);
          if (!isStdout) continue;
          const l = line.trimStart();
          let m;
          if (!found.url && (m = RE_URL.exec(l))) found.url = m[1];
          else if (!found.username && (m = RE_LOGIN.exec(l))) found.username = m[1];
          else if (!found.password && (m = RE_PASSWORD.exec(l))) found.password = m[1];
          if (found.url && found.username && found.password) {
            clearTimeout(timer);
            resolve();
          }
        }
      });
    };
    onLines(child.stdout, true);
    onLines(child.stderr, false);
    child.once('error', (err) => { clearTimeout(timer); fail(`could not start server: ${err.message}`); });
    closePromise.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(`server exited before it was ready (code ${code}, signal ${signal})`);
    });
  });

  try {
    await ready;
  } catch (err) {
    await stop();
    throw err;
  }
  // Normalise: make sure the base URL ends with a slash so new URL(path, url) works.
  const url = found.url.endsWith('/') ? found.url : `${found.url}/`;
  return { url, username: found.username, password: found.password, dataDir, output, stop };
}

/** Launch headless Debian chromium through playwright-core. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Save a full-page screenshot to <repo>/target/screenshots/<name>.png; returns the path. */
export async function shot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

let axeSource = null;

/**
 * Run axe-core on the current page; throw if any violation has impact
 * "serious" or "critical". Returns the full axe result otherwise.
 * The script is evaluated through the DevTools protocol rather than a <script>
 * tag so that the server's Content-Security-Policy does not block it.
 */
export async function checkA11y(page, { context = null, options = {} } = {}) {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) {
    await page.evaluate(`${axeSource}\n;void 0;`);
  }
  const results = await page.evaluate(
    ([ctx, opts]) => window.axe.run(ctx ?? document, { resultTypes: ['violations'], ...opts }),
    [context, options],
  );
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const lines = [`axe: ${bad.length} serious/critical accessibility violation(s) on ${page.url()}`];
    for (const v of bad) {
      lines.push(`- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
      for (const n of v.nodes.slice(0, 8)) {
        lines.push(`    at ${n.target.join(' ')}`);
        lines.push(`       ${n.html.slice(0, 200)}`);
        if (n.failureSummary) lines.push(`       ${n.failureSummary.replace(/\n\s*/g, ' | ')}`);
      }
      if (v.nodes.length > 8) lines.push(`    … and ${v.nodes.length - 8} more`);
    }
    throw new Error(lines.join('\n'));
  }
  return results;
}

/** NFC text with runs of white space folded: what a person reads. */
export const nfc = (s) => (s ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();

/** Text of the flash message(s) on the page, or ''. */
export async function flashText(p) {
  const f = p.locator('.flash');
  return (await f.count()) ? nfc((await f.allInnerTexts()).join(' | ')) : '';
}

/** The <dl class="details"> as a {label: {text, href}} map. */
export async function details(p) {
  return p.evaluate(() => {
    const out = {};
    for (const dt of document.querySelectorAll('dl.details dt')) {
      const dd = dt.nextElementSibling;
      if (!dd) continue;
      const a = dd.querySelector('a');
      out[dt.textContent.normalize('NFC').replace(/\s+/g, ' ').trim()] = {
        text: dd.textContent.normalize('NFC').replace(/\s+/g, ' ').trim(),
        href: a ? a.getAttribute('href') : null,
      };
    }
    return out;
  });
}
