// Shared by every end-to-end test: real Chromium (Debian's), a console-error trap, axe-core
// accessibility checks on every page visited, and screenshots under end2end/screenshots/.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = path.join(here, '..', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A browser context whose pages record console errors and page errors. */
export async function newContext(browser, options = {}) {
  // bypassCSP lets the test inject axe-core; the app's own policy is checked by the Rust tests.
  const context = await browser.newContext({ bypassCSP: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
  context.errors = [];
  context.on('page', (page) => watch(page, context.errors));
  return context;
}

function watch(page, errors) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${page.url()})`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message} (${page.url()})`));
}

export async function newPage(context) {
  const page = await context.newPage();
  return page;
}

/** Waits until the wasm bundle has hydrated the page (the app sets data-hydrated on <body>). */
export async function hydrated(page) {
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 20000 });
}

/** Runs axe-core in the page and returns serious or critical violations. */
export async function accessibilityViolations(page) {
  await page.addScriptTag({ path: require.resolve('axe-core') });
  const result = await page.evaluate(async () => await globalThis.axe.run());
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Asks `check` until it returns something truthy or `timeout` ms pass: for conditions the
 * server brings about on its own clock (a quiz deadline), which no page event announces.
 */
export async function until(check, { timeout = 30000, every = 1000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => { setTimeout(resolve, every); });
  }
}
