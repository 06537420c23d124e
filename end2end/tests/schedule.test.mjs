// Scheduling: a trainee finds their tier's session in the week calendar, enrols, and sees it in
// "my schedule"; a scheduler sees them on the roster and on the printable sign-in sheet, and
// cancels their place.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, hydrated, accessibilityViolations, screenshot } from '../lib/harness.mjs';
import { adminPage, createPerson, firstLogin, newTrainee } from '../lib/journeys.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a trainee enrols from the calendar; the scheduler sees the roster and the sign-in sheet', async () => {
  const { context, page } = await newTrainee(browser, { name: '内审员吴敏', tier: 'auditor', password: 'sched-pass-1' });
  await page.goto(BASE_URL + '/schedule');
  await hydrated(page);
  assert.ok(await page.locator('[data-testid="slot"]').count() >= 6);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'schedule-phone');

  // The auditors' session: 第三期.
  await page.locator('[data-testid="slot"]', { hasText: '内审员' }).first().click();
  await page.waitForURL(/\/sessions\/\d+$/);
  await hydrated(page);
  const sessionUrl = page.url();
  await page.click('[data-testid="enrol"]');
  await page.locator('[data-testid="leave"]').waitFor();
  assert.match(await page.textContent('[data-testid="my-place"]'), /您已报名/);

  // The session as an .ics file, and the trainee's own subscribable calendar.
  const ics = await page.request.get(sessionUrl.replace('/sessions/', '/calendar/sessions/') + '/session.ics');
  assert.equal(ics.status(), 200);
  assert.match(await ics.text(), /BEGIN:VEVENT[\s\S]*DTSTART:20140715T003000Z/);

  await page.goto(BASE_URL + '/my/schedule');
  await hydrated(page);
  assert.equal(await page.locator('[data-testid="my-session"]').count(), 1);
  assert.deepEqual(await accessibilityViolations(page), []);
  const feed = await page.inputValue('[data-testid="feed-url"]');
  assert.match(feed, /\/calendar\/people\/\d+\/[\w-]+\/schedule\.ics$/);
  const subscribed = await fetch(feed);
  assert.match(await subscribed.text(), /SUMMARY:第三期/);

  // The scheduler.
  const admin = await adminPage(browser);
  const link = await createPerson(admin.page, { name: '排课员郑伟', phone: `138${Date.now().toString().slice(-8)}`, role: 'scheduler' });
  await admin.context.close();
  const scheduler = await firstLogin(browser, link, 'scheduler-pass-2');
  await scheduler.page.setViewportSize({ width: 1280, height: 900 });
  await scheduler.page.goto(sessionUrl);
  await hydrated(scheduler.page);
  assert.match(await scheduler.page.textContent('[data-testid="roster"]'), /内审员吴敏/);
  assert.deepEqual(await accessibilityViolations(scheduler.page), []);
  await scheduler.page.goto(sessionUrl + '/sheet');
  await scheduler.page.locator('[data-testid="sheet"]').waitFor();
  assert.match(await scheduler.page.textContent('[data-testid="sheet"]'), /内审员吴敏/);
  await scheduler.page.emulateMedia({ media: 'print' });
  await screenshot(scheduler.page, 'sign-in-sheet-print');
  assert.equal(await scheduler.page.locator('.site-header').isVisible(), false, 'the header does not print');
  await scheduler.page.emulateMedia({ media: 'screen' });

  await scheduler.page.goto(sessionUrl);
  await hydrated(scheduler.page);
  const row = scheduler.page.locator('[data-testid="roster-row"]', { hasText: '内审员吴敏' });
  await row.locator('[data-testid="cancel-person"]').click();
  await scheduler.page.waitForFunction(() => !document.querySelector('[data-testid="roster"]')?.textContent.includes('内审员吴敏'));

  await page.goto(BASE_URL + '/my/schedule');
  await hydrated(page);
  assert.equal(await page.locator('[data-testid="my-session"]').count(), 0);
  assert.deepEqual(context.errors, []);
  assert.deepEqual(scheduler.context.errors, []);
  await context.close();
  await scheduler.context.close();
});
