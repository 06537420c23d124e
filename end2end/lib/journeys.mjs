// Steps several journeys share: signing in, an admin creating a person (who gets a first-login
// link), and that person setting a password through the link.
import assert from 'node:assert/strict';
import { BASE_URL, newContext, hydrated, accessibilityViolations } from './harness.mjs';

export const ADMIN = { login: process.env.E2E_ADMIN_LOGIN, password: process.env.E2E_ADMIN_PASSWORD };

export async function signIn(page, login, password) {
  await page.goto(BASE_URL + '/sign-in');
  await hydrated(page);
  await page.fill('#identifier', login);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL('**/account'), page.click('button[type="submit"]')]);
}

/** On /admin/people: creates a person and returns their first-login path. */
export async function createPerson(page, { name, phone, role, tier, district }) {
  await page.fill('#name', name);
  await page.fill('#phone', phone);
  await page.selectOption('#role', role);
  if (tier) await page.selectOption('#tier', tier);
  if (district) await page.selectOption('#district_id', { label: district });
  const link = page.locator('[data-testid="login-link"]');
  const previous = (await link.count()) ? await link.getAttribute('href') : null;
  await page.click('[data-testid="create-person"]');
  await page.waitForFunction(
    (prev) => { const a = document.querySelector('[data-testid="login-link"]'); return a && a.getAttribute('href') !== prev; },
    previous,
  );
  const path = await link.getAttribute('href');
  assert.match(path, /^\/welcome\/[A-Za-z0-9_-]{40,}$/);
  return path;
}

/** Opens a first-login link on a phone-sized screen and sets the password. */
export async function firstLogin(browser, path, password) {
  const context = await newContext(browser, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(BASE_URL + path);
  await hydrated(page);
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.fill('#new_password', password);
  await page.fill('#confirm', password);
  await Promise.all([page.waitForURL('**/account'), page.click('button[type="submit"]')]);
  return { context, page };
}

/** An admin's signed-in page on /admin/people. */
export async function adminPage(browser) {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, ADMIN.login, ADMIN.password);
  await page.goto(BASE_URL + '/admin/people');
  await hydrated(page);
  return { context, page };
}

/** A new trainee of `tier`, signed in on a phone; returns their context and page. */
export async function newTrainee(browser, { name, tier, password }) {
  const admin = await adminPage(browser);
  const phone = `135${Date.now().toString().slice(-8)}`;
  const link = await createPerson(admin.page, { name, phone, role: 'trainee', tier });
  await admin.context.close();
  return firstLogin(browser, link, password);
}
