// The shell: Chinese by default, English on switch (client side, after hydration, and then from
// the server on reload), the mobile menu, the 404 page; every page accessible and error-free.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, launch, newContext, hydrated, accessibilityViolations, screenshot,
} from '../lib/harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the home page renders in Chinese and switches to English after hydration', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(BASE_URL + '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await page.textContent('h1'), /清洁生产审核培训平台/);
  assert.match(await page.textContent('main'), /天津能源管理培训学校/);
  await hydrated(page);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'home-zh');

  // A marker set in the page survives only if switching does not reload: proof of hydration.
  await page.evaluate(() => { globalThis.__noReload = true; });
  await page.click('[data-testid="lang-switch"]');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent.includes('Cleaner Production'));
  assert.equal(await page.evaluate(() => globalThis.__noReload), true);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await screenshot(page, 'home-en');

  // The choice persists in a cookie and the server renders English on the next request.
  await page.reload();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('h1'), /Cleaner Production Audit Training/);
  assert.deepEqual(context.errors, []);
  await context.close();
});

test('on a phone the menu button opens the navigation', async () => {
  const context = await newContext(browser, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(BASE_URL + '/');
  await hydrated(page);
  const nav = page.locator('#site-nav');
  assert.equal(await nav.isVisible(), false);
  await page.click('.nav-toggle');
  assert.equal(await nav.isVisible(), true);
  assert.equal(await page.getAttribute('.nav-toggle', 'aria-expanded'), 'true');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no horizontal scrolling at 360 px');
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'home-phone');
  assert.deepEqual(context.errors, []);
  await context.close();
});

test('an unknown address shows the 404 page', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const response = await page.goto(BASE_URL + '/no-such-page');
  assert.equal(response.status(), 404);
  assert.match(await page.textContent('h1'), /页面不存在/);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'not-found');
  // The browser itself logs the 404 status of the document; nothing else may fail.
  assert.deepEqual(context.errors.filter((e) => !e.includes('404')), []);
  await context.close();
});

test('a page downloads its own code, and the next page fetches its chunks when the reader goes there', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const fetched = new Set();
  const downloads = new Map();
  page.on('requestfinished', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.endsWith('.wasm')) return;
    fetched.add(url.pathname);
    downloads.set(url.pathname, (downloads.get(url.pathname) ?? 0) + 1);
  });
  await page.goto(BASE_URL + '/');
  await hydrated(page);
  assert.ok(fetched.has('/pkg/academy.wasm'), 'the main bundle');
  const home = new Set(fetched);
  assert.ok(home.size > 1, 'the home page chunks besides the main bundle');
  // The server names the page's chunks in <head>, so they download beside the main bundle, and
  // the loader's own fetch is served by that preload: no chunk comes twice.
  const preloads = await page.$$eval('head link[rel="preload"][as="fetch"]', (links) =>
    links.map((link) => new URL(link.href).pathname));
  const chunks = [...home].filter((path) => path !== '/pkg/academy.wasm');
  assert.deepEqual(chunks.filter((path) => !preloads.includes(path)), [], 'every chunk the page used was preloaded');
  assert.deepEqual([...downloads].filter(([, n]) => n > 1), [], 'each chunk is downloaded once');
  // The server's HTML names each chunk once (a list of our own beside Leptos' once doubled the
  // catalog page's 163 preloads).
  const html = await (await fetch(BASE_URL + '/courses')).text();
  const named = [...html.matchAll(/<link[^>]*rel="preload"[^>]*>/g)]
    .map(([link]) => link.match(/href="([^"]+)"/)[1]);
  assert.ok(named.filter((href) => href.includes('catalog_route')).length === 1, 'the catalog chunk is preloaded');
  assert.equal(new Set(named).size, named.length, 'no chunk is preloaded twice');
  // (The loader may add its own modulepreload at run time; the server's is there from the start.)
  assert.ok(
    await page.locator('head link[rel="modulepreload"][href$="/pkg/__wasm_split.______________________.js"]').count() >= 1,
    'the chunk loader is preloaded',
  );
  // The title is the page's own from the first byte to after hydration.
  assert.equal(await page.title(), '清洁生产审核培训平台');

  // Client-side navigation to the catalog: more chunks arrive, and the page is interactive.
  await page.evaluate(() => { globalThis.__noReload = true; });
  await page.click('a.site-nav__link[href="/courses"]');
  await page.waitForURL('**/courses');
  await page.locator('[data-testid="course-card"]').first().waitFor();
  const catalog = [...fetched].filter((path) => !home.has(path));
  assert.ok(catalog.length > 0, 'the catalog chunks are fetched on the way there');
  assert.equal(await page.evaluate(() => globalThis.__noReload), true);
  await page.waitForFunction(() => document.title.startsWith('课程'));
  const all = await page.locator('[data-testid="course-card"]').count();
  // The page's own code runs: the search filters the list without a reload.
  await page.fill('#course-q', '锅炉');
  await page.click('form.filters button[type="submit"]');
  await page.waitForURL('**/courses?*q=*');
  await page.waitForFunction((n) => {
    const cards = [...document.querySelectorAll('[data-testid="course-card"]')];
    return cards.length > 0 && cards.length < n && cards.every((c) => c.textContent.includes('锅炉'));
  }, all);
  assert.equal(await page.evaluate(() => globalThis.__noReload), true);
  assert.deepEqual(context.errors, []);
  await context.close();
});
