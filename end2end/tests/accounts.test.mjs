// Accounts: an admin signs in, creates a scheduler and a trainee; each sets a password through
// their first-login link and sees only what their role allows; a trainee forging a request to a
// scheduler's server function is refused with 403.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, launch, newContext, hydrated, accessibilityViolations, screenshot,
} from '../lib/harness.mjs';
import { ADMIN, signIn, createPerson, firstLogin } from '../lib/journeys.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an admin creates a scheduler and a trainee who each see only what their role allows', async () => {
  const admin = await newContext(browser);
  const page = await admin.newPage();
  await signIn(page, ADMIN.login, ADMIN.password);
  assert.match(await page.textContent('[data-testid="account-roles"]'), /管理员/);
  await page.goto(BASE_URL + '/admin/people');
  await hydrated(page);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'admin-people');

  const stamp = Date.now().toString().slice(-8);
  const schedulerLink = await createPerson(page, { name: '排课员张敏', phone: `137${stamp}`, role: 'scheduler' });
  const traineeLink = await createPerson(page, { name: '学员李静', phone: `136${stamp}`, role: 'trainee', tier: 'auditor' });
  await screenshot(page, 'admin-created');

  // The scheduler sets a password and may see the people list, not the audit log.
  const scheduler = await firstLogin(browser, schedulerLink, 'scheduler-pass-1');
  assert.match(await scheduler.page.textContent('[data-testid="account-roles"]'), /排课人员/);
  await scheduler.page.goto(BASE_URL + '/admin/people');
  await scheduler.page.locator('[data-testid="people-total"]').waitFor();
  await scheduler.page.goto(BASE_URL + '/admin/audit');
  assert.match(await scheduler.page.textContent('main'), /没有权限/);

  // The trainee sees their account, no admin navigation, and is refused the people list.
  const trainee = await firstLogin(browser, traineeLink, 'trainee-pass-1');
  await screenshot(trainee.page, 'trainee-account-phone');
  assert.match(await trainee.page.textContent('[data-testid="account-roles"]'), /学员/);
  assert.equal(await trainee.page.locator('a[href="/admin/people"]').count(), 0);
  await trainee.page.goto(BASE_URL + '/admin/people');
  assert.match(await trainee.page.textContent('main'), /没有权限/);

  // A forged call to the scheduler's server function from the trainee's session: 403.
  const forged = await trainee.page.evaluate(async () => {
    const res = await fetch('/api/create_person', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=%E5%86%92%E5%90%8D&phone=13911112222&email=&tier=leader&role=trainee&district_id=',
    });
    return res.status;
  });
  assert.equal(forged, 403);

  // The link works once only.
  const again = await newContext(browser);
  const p2 = await again.newPage();
  await p2.goto(BASE_URL + traineeLink);
  await hydrated(p2);
  await p2.fill('#new_password', 'another-pass-1');
  await p2.fill('#confirm', 'another-pass-1');
  await p2.click('button[type="submit"]');
  await p2.locator('[data-testid="form-error"]').waitFor();
  assert.match(await p2.textContent('[data-testid="form-error"]'), /无效、已使用或已过期/);

  // The admin sees both creations in the audit log.
  await page.goto(BASE_URL + '/admin/audit?action=create_person');
  await page.locator('[data-testid="audit-table"]').waitFor();
  const log = await page.textContent('[data-testid="audit-table"]');
  assert.match(log, /排课员张敏/);
  assert.match(log, /学员李静/);
  assert.deepEqual(await accessibilityViolations(page), []);

  for (const ctx of [admin, scheduler.context, trainee.context, again]) {
    assert.deepEqual(ctx.errors.filter((e) => !/status of 40[134]/.test(e)), []);
    await ctx.close();
  }
});

test('a wrong password is refused with a message that does not reveal the account', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(BASE_URL + '/sign-in');
  await hydrated(page);
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.fill('#identifier', 'nobody@example.com');
  await page.fill('#password', 'wrong-password');
  await page.click('button[type="submit"]');
  await page.locator('[data-testid="form-error"]').waitFor();
  assert.match(await page.textContent('[data-testid="form-error"]'), /手机号\/邮箱或密码不正确/);
  await screenshot(page, 'sign-in-error');
  await context.close();
});
