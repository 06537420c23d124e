// Quizzes: a trainee starts the timed boilers quiz on a phone, answers half, reloads and finds the
// answers kept, submits and sees the score and explanations; a second trainee walks away and the
// server grades their attempt when the time runs out; the instructor sees the item analysis.
// e2e.sh shortens the boilers quiz to one minute in its copy of content/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, hydrated, accessibilityViolations, screenshot, until } from '../lib/harness.mjs';
import { adminPage, createPerson, firstLogin, newTrainee } from '../lib/journeys.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function startQuiz(page) {
  await page.goto(BASE_URL + '/quizzes/boilers');
  await hydrated(page);
  await Promise.all([page.waitForURL(/\/attempts\/\d+$/), page.click('[data-testid="start-quiz"]')]);
  await hydrated(page);
  await page.locator('[data-testid="question"]').first().waitFor();
}

/** Answers the question on screen with its first option (or some text) and waits for the save. */
async function answerCurrent(page, index) {
  const question = page.locator('[data-testid="question"]').nth(index);
  const fill = question.locator('[data-testid="fill-input"]');
  if (await fill.count()) {
    await fill.fill('１．７５');
    await fill.press('Tab');
  } else {
    await question.locator('label.option').first().click();
  }
  await page.waitForFunction((n) => document.querySelector('[data-testid="answered"]')?.textContent.includes(`${n}/`), index + 1);
  await page.waitForFunction(() => /已保存/.test(document.querySelector('[data-testid="save-state"]')?.textContent ?? ''));
}

test('a timed quiz: answers survive a reload, submit shows the score; time-out is graded on the server', async () => {
  // The second trainee starts first and walks away: their minute runs while the first works.
  const walker = await newTrainee(browser, { name: '内审员孙磊', tier: 'auditor', password: 'walker-pass-1' });
  await startQuiz(walker.page);
  await answerCurrent(walker.page, 0);
  await walker.context.close();

  const { context, page } = await newTrainee(browser, { name: '内审员周洁', tier: 'auditor', password: 'quiz-pass-1' });
  await startQuiz(page);
  assert.match(await page.textContent('[data-testid="timer"]'), /00:[0-5]\d|01:00/);
  assert.deepEqual(await accessibilityViolations(page), []);
  for (let i = 0; i < 5; i += 1) {
    await answerCurrent(page, i);
    await page.click('[data-testid="next-question"]');
  }
  await screenshot(page, 'quiz-phone');

  await page.reload();
  await hydrated(page);
  assert.match(await page.textContent('[data-testid="answered"]'), /5\/10/);
  assert.equal(await page.locator('.dot--answered').count(), 5);

  await Promise.all([page.waitForURL(/\/attempts\/\d+\/review$/), page.click('[data-testid="submit-quiz"]')]);
  await page.locator('[data-testid="score"]').waitFor();
  assert.match(await page.textContent('[data-testid="score"]'), /%/);
  assert.equal(await page.locator('[data-testid="review-item"]').count(), 10);
  assert.ok((await page.textContent('[data-testid="explanation"] >> nth=0')).length > 10);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'quiz-review-phone');
  assert.deepEqual(context.errors, []);
  await context.close();

  // The instructor: the walker's attempt appears graded by the server once their time is up.
  const admin = await adminPage(browser);
  const link = await createPerson(admin.page, { name: '讲师钱工', phone: `139${Date.now().toString().slice(-8)}`, role: 'instructor' });
  await admin.context.close();
  const instructor = await firstLogin(browser, link, 'instructor-pass-1');
  await until(() => instructor.page.evaluate(async () => {
    const res = await fetch('/api/quiz_results', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'course=boilers',
    });
    const results = await res.json();
    return results.rows.some((r) => r.status === 'expired');
  }), { timeout: 150000, every: 2000, what: "the server to grade the walker's timed-out attempt" });
  await instructor.page.goto(BASE_URL + '/admin/quizzes/boilers');
  await hydrated(instructor.page);
  assert.match(await instructor.page.textContent('[data-testid="result-rows"]'), /超时自动交卷/);
  assert.match(await instructor.page.textContent('[data-testid="result-rows"]'), /内审员孙磊/);
  assert.ok(await instructor.page.locator('[data-testid="item-row"]').count() >= 10);
  assert.deepEqual(await accessibilityViolations(instructor.page), []);
  await screenshot(instructor.page, 'quiz-item-analysis');
  await instructor.context.close();
});
