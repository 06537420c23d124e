// Learning: an internal auditor signs in on a phone, finds their tier's course first, reads a
// lesson, marks it done and sees the progress change without a reload; a lesson carrying a
// <script> (planted by e2e.sh in a copy of content/) renders it inert.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, launch, hydrated, accessibilityViolations, screenshot,
} from '../lib/harness.mjs';
import { newTrainee } from '../lib/journeys.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an internal auditor reads a lesson on a phone and marks it done', async () => {
  const { context, page } = await newTrainee(browser, { name: '内审员王芳', tier: 'auditor', password: 'auditor-pass-1' });

  await page.goto(BASE_URL + '/courses');
  await hydrated(page);
  const firstGroup = page.locator('[data-testid="course-group"]').first();
  assert.match(await firstGroup.locator('h2').textContent(), /内审员.*您的层次/);
  assert.equal(await firstGroup.locator('[data-testid="course-card"]').first().getAttribute('data-course'), 'auditor-method');
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'catalog-phone');

  await firstGroup.locator('[data-testid="course-card"] h3 a').first().click();
  await page.waitForURL('**/courses/auditor-method');
  await page.locator('[data-testid="continue"]').waitFor();
  assert.match(await page.textContent('[data-testid="progress-text"]'), /^0\/7/);
  await page.click('[data-testid="continue"]');
  await page.waitForURL('**/lessons/auditor-method-01-overview');
  await page.locator('[data-testid="lesson-body"] h2').first().waitFor();
  assert.deepEqual(await accessibilityViolations(page), []);
  // Readable on a phone: nothing wider than the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
  await screenshot(page, 'lesson-phone');

  // Reading to the end marks the lesson done, and the bar updates in place: no reload.
  // (Scrolling first matters: a click scrolls the button into view, which would mark the
  // lesson by itself and race the click's own toggle.)
  await page.evaluate(() => { window.__stillHere = true; });
  assert.match(await page.textContent('[data-testid="progress-text"]'), /^0\/7/);
  const progressIs = (text) => page.waitForFunction(
    (t) => document.querySelector('[data-testid="progress-text"]')?.textContent.startsWith(t), text);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await progressIs('1/7');
  await page.locator('[data-testid="mark-done"][aria-pressed="true"]').waitFor();
  // The button undoes it and does it again, each time without a reload.
  await page.click('[data-testid="mark-done"]');
  await progressIs('0/7');
  await page.locator('[data-testid="mark-done"][aria-pressed="false"]').waitFor();
  await page.click('[data-testid="mark-done"]');
  await progressIs('1/7');
  assert.equal(await page.evaluate(() => window.__stillHere), true);
  assert.equal(await page.getAttribute('[data-testid="mark-done"]', 'aria-pressed'), 'true');

  // The next lesson is one tap away, and the course page shows the lesson done.
  await page.click('[data-testid="next"]');
  await page.waitForURL('**/lessons/auditor-method-02-planning');
  await page.goto(BASE_URL + '/courses/auditor-method');
  await hydrated(page);
  assert.match(await page.textContent('[data-testid="progress-text"]'), /^1\/7/);
  assert.equal(await page.locator('.lesson-list__item--done').count(), 1);

  await page.goto(BASE_URL + '/learning');
  await hydrated(page);
  const mine = page.locator('[data-testid="course-card"][data-course="auditor-method"]');
  assert.match(await mine.locator('[data-testid="progress-text"]').textContent(), /^1\/7/);

  assert.deepEqual(context.errors, []);
  await context.close();
});

test('a lesson with a script in it renders the script inert', async () => {
  const { context, page } = await newTrainee(browser, { name: '领导赵强', tier: 'leader', password: 'leader-pass-1' });
  let dialogs = 0;
  page.on('dialog', async (d) => { dialogs += 1; await d.dismiss(); });
  await page.goto(BASE_URL + '/lessons/waste-heat-99-probe');
  await hydrated(page);
  assert.match(await page.textContent('[data-testid="lesson-body"]'), /探针正文/);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.locator('[data-testid="lesson-body"] script').count(), 0);
  assert.equal(await page.locator('[data-testid="lesson-body"] [onerror]').count(), 0);
  assert.equal(dialogs, 0);
  assert.deepEqual(context.errors.filter((e) => !/favicon|probe\.png|status of 404/.test(e)), []);
  await context.close();
});
