// Planning: a scheduler adds a room and a lecturer, builds a session in the browser, is refused
// a second session in the same room at an overlapping time (the clash named, what was typed
// kept), moves it to the next day and saves it, finds both in the week calendar, and reads the
// enterprises short of their quota. It also corrects the programme's own details.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, hydrated, accessibilityViolations, screenshot, launch } from '../lib/harness.mjs';
import { adminPage, createPerson, firstLogin } from '../lib/journeys.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function fillSession(page, { number, title, date, start, end, seats }) {
  await page.fill('#plan-number', String(number));
  await page.fill('#plan-title-zh', title);
  await page.fill('#plan-date', date);
  await page.fill('#plan-start', start);
  await page.fill('#plan-end', end);
  await page.selectOption('#plan-room', { label: '201教室（60）' });
  await page.fill('#plan-capacity', String(seats));
}

test('a scheduler plans sessions and is refused a double-booked room with the clash named', async () => {
  const admin = await adminPage(browser);
  const link = await createPerson(admin.page, { name: '排课员周婷', phone: `136${Date.now().toString().slice(-8)}`, role: 'scheduler' });
  await admin.context.close();
  const { context, page } = await firstLogin(browser, link, 'plan-pass-4');
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.goto(BASE_URL + '/admin/plan');
  await hydrated(page);
  assert.ok(await page.locator('[data-testid="plan-row"]').count() >= 6, 'the programme file\'s sessions are listed');
  const days = await page.locator('[data-testid="plan-row"] td:nth-child(3)').allTextContents();
  for (const day of ['2014-07-14', '2014-07-15', '2014-07-16', '2014-07-17', '2014-07-18']) {
    assert.ok(days.some((d) => d.startsWith(day)), `a session on ${day}`);
  }

  // The programme's own details: a range that would leave the last session out is refused by
  // name; the host is corrected and kept.
  await page.click('[data-testid="edit-programme"]');
  await page.waitForURL(/\/admin\/programme$/);
  await hydrated(page);
  assert.equal(await page.inputValue('#prog-starts-on'), '2014-07-14');
  assert.equal(await page.inputValue('#prog-quota-auditor'), '2');
  await page.fill('#prog-ends-on', '2014-07-17');
  await page.click('[data-testid="save-programme"]');
  const refused = page.locator('[data-testid="programme-error"]');
  await refused.waitFor();
  assert.match(await refused.textContent(), /第6期（7月18日）在新的日期范围之外/);
  await page.fill('#prog-ends-on', '2014-07-18');
  await page.fill('#prog-host-zh', '天津市节能协会清洁生产专业委员会（承办）');
  // District officials get their own certificate rule: 60% of their hours, no quiz.
  await page.fill('[data-testid="prog-tier-min-official"]', '60');
  await page.selectOption('[data-testid="prog-tier-quiz-official"]', 'no');
  await page.click('[data-testid="save-programme"]');
  await page.locator('[data-testid="programme-saved"]').waitFor();
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'programme');
  await page.reload();
  await hydrated(page);
  assert.equal(await page.inputValue('#prog-host-zh'), '天津市节能协会清洁生产专业委员会（承办）');
  assert.equal(await page.inputValue('[data-testid="prog-tier-min-official"]'), '60');
  assert.equal(await page.inputValue('[data-testid="prog-tier-quiz-official"]'), 'no');
  assert.equal(await page.inputValue('[data-testid="prog-tier-min-leader"]'), '', 'other tiers follow the programme');

  // A new programme: an end before its start is named; an earlier pilot is then created, and as
  // it starts before 2014 the current programme stays.
  await page.click('[data-testid="new-programme"]');
  await page.fill('#new-title-zh', '2013年清洁生产审核试点培训');
  await page.fill('#new-starts-on', '2013-05-06');
  await page.fill('#new-ends-on', '2013-05-01');
  await page.fill('#new-venue-zh', '天津能源管理培训学校');
  await page.fill('#new-organisers', '天津市经济和信息化委员会');
  await page.click('[data-testid="create-programme"]');
  const notCreated = page.locator('[data-testid="new-programme-error"]');
  await notCreated.waitFor();
  assert.match(await notCreated.textContent(), /结束日期.*不能早于开始日期/);
  await page.fill('#new-ends-on', '2013-05-07');
  await page.click('[data-testid="create-programme"]');
  const created = page.locator('[data-testid="programme-created"]');
  await created.waitFor();
  assert.match(await created.textContent(), /项目已创建。它的开始日期早于当前项目，当前项目不变。/);
  assert.equal(await page.inputValue('#prog-starts-on'), '2014-07-14');
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.goto(BASE_URL + '/admin/plan');
  await hydrated(page);

  // A room and a lecturer.
  await page.fill('#room-name', '201教室');
  await page.fill('#room-seats', '60');
  await page.click('[data-testid="save-room"]');
  await page.locator('[data-testid="room-saved"]').waitFor();
  await page.locator('#plan-room option', { hasText: '201教室（60）' }).waitFor({ state: 'attached' });
  await page.fill('#lecturer-name', '天津大学王教授');
  await page.fill('#lecturer-org', '天津大学');
  await page.click('[data-testid="save-lecturer"]');
  await page.locator('[data-testid="lecturer-saved"]').waitFor();
  await page.locator('[data-testid="pick-lecturer"] + span', { hasText: '天津大学王教授' }).waitFor();

  // Session 8, for district officials, with the new lecturer.
  await fillSession(page, { number: 8, title: '第八期：区县主管部门补训', date: '2014-07-16', start: '14:00', end: '17:00', seats: 2 });
  await page.check('[data-testid="pick-tier-official"]');
  await page.check('[data-testid="pick-course-official-acceptance"]');
  await page.locator('label', { hasText: '天津大学王教授' }).locator('input').check();
  await page.click('[data-testid="save-session"]');
  await page.locator('[data-testid="session-saved"]').waitFor();
  await page.locator('[data-testid="plan-row"]', { hasText: '第八期' }).waitFor();
  assert.match(await page.textContent('[data-testid="plan-row"]:has-text("第八期")'), /2014-07-16 14:00–17:00[\s\S]*201教室[\s\S]*0\/2[\s\S]*天津大学王教授/);

  // Session 9 in the same room at 15:00: refused, naming session 8 and its time.
  await fillSession(page, { number: 9, title: '第九期：评估专家补训', date: '2014-07-16', start: '15:00', end: '16:00', seats: 40 });
  await page.check('[data-testid="pick-tier-expert"]');
  await page.click('[data-testid="save-session"]');
  const error = page.locator('[data-testid="session-error"]');
  await error.waitFor();
  assert.match(await error.textContent(), /201教室已被第8期占用（7月16日 14:00–17:00）/);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'plan-clash');
  // What was typed is still there: only the date changes.
  assert.equal(await page.inputValue('#plan-title-zh'), '第九期：评估专家补训');
  await page.fill('#plan-date', '2014-07-17');
  await page.click('[data-testid="save-session"]');
  await page.locator('[data-testid="plan-row"]', { hasText: '第九期' }).waitFor();
  assert.equal(await page.locator('[data-testid="session-error"]').count(), 0);

  // Session 5 is a full day in two periods. A period outside the day is named under the form;
  // a later afternoon is saved and listed; then the file's split is put back.
  const fifth = page.locator('[data-testid="plan-row"]', { hasText: '第五期' });
  assert.equal(await fifth.locator('[data-testid="plan-row-periods"]').textContent(), '上午 09:00-12:00; 下午 13:30-16:30');
  await fifth.locator('[data-testid="edit-session"]').click();
  assert.equal(await page.inputValue('#plan-periods'), '上午 09:00-12:00; 下午 13:30-16:30');
  await page.fill('#plan-periods', '上午 08:00-12:00；下午 13:30-16:30');
  await page.click('[data-testid="save-session"]');
  await error.waitFor();
  assert.match(await error.textContent(), /时段.*须在本期的开始和结束时间之内/);
  await page.fill('#plan-periods', '上午 09:00-12:00；下午 14:00-16:30');
  await page.click('[data-testid="save-session"]');
  await fifth.locator('[data-testid="plan-row-periods"]', { hasText: '下午 14:00-16:30' }).waitFor();
  await fifth.locator('[data-testid="edit-session"]').click();
  await page.fill('#plan-periods', '上午 09:00-12:00；下午 13:30-16:30');
  await page.click('[data-testid="save-session"]');
  await fifth.locator('[data-testid="plan-row-periods"]', { hasText: '下午 13:30-16:30' }).waitFor();

  // Both are in the week calendar, in the new room's row.
  await page.goto(BASE_URL + '/schedule');
  await hydrated(page);
  const room = page.locator('[data-testid="calendar"] tr', { hasText: '201教室' });
  assert.match(await room.textContent(), /区县主管部门补训[\s\S]*评估专家补训/);

  // Session 8 fills: three enrolled at once for two seats puts the third on the waitlist.
  await room.locator('[data-testid="slot"]', { hasText: '区县主管部门补训' }).click();
  await page.waitForURL(/\/sessions\/\d+$/);
  await hydrated(page);
  await page.fill('#enrol-login', '13800000401\n13800000402\n13800000403');
  await page.click('[data-testid="enrol-someone"]');
  await page.locator('[data-testid="bulk-report"]').waitFor();
  assert.match(await page.textContent('[data-testid="bulk-report"]'), /已完成 3 人/);
  await page.locator('[data-testid="roster-row"][data-status="waitlisted"]').waitFor();
  assert.equal(await page.locator('[data-testid="roster-row"][data-status="enrolled"]').count(), 2);
  assert.deepEqual(await accessibilityViolations(page), []);

  // Cancelling a seat promotes the first on the waitlist, without a reload.
  const waiting = await page.locator('[data-testid="roster-row"][data-status="waitlisted"] td').nth(1).textContent();
  await page.locator('[data-testid="roster-row"][data-status="enrolled"] [data-testid="pick-person"]').first().check();
  assert.match(await page.textContent('[data-testid="chosen-count"]'), /已选 1 人/);
  await page.click('[data-testid="cancel-selected"]');
  await page.waitForFunction(() => !document.querySelector('[data-testid="roster-row"][data-status="waitlisted"]'));
  assert.match(await page.textContent('[data-testid="roster"]'), new RegExp(waiting.trim()));
  assert.equal(await page.locator('[data-testid="roster-row"][data-status="enrolled"]').count(), 2);

  // Moving a selection to session 9.
  await page.locator('[data-testid="pick-person"]').first().check();
  const ninth = await page.locator('#move-to option', { hasText: '第九期' }).getAttribute('value');
  await page.selectOption('#move-to', ninth);
  await page.click('[data-testid="move-selected"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="roster-row"]').length === 1);
  assert.match(await page.textContent('[data-testid="bulk-report"]'), /已完成 1 人/);
  await screenshot(page, 'roster-moved');

  // The quota shortfall, on a phone.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(BASE_URL + '/admin/plan');
  await hydrated(page);
  const summary = await page.textContent('[data-testid="shortfall-summary"]');
  assert.match(summary, /\d+\/\d+ 家企业未达到配额/);
  assert.ok(await page.locator('[data-testid="shortfall-row"]').count() > 0);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'plan-phone');
  // The refused saves answer 409 and 422, which the browser logs; nothing else may be logged.
  assert.deepEqual(context.errors.filter((e) => !/status of (409|422)/.test(e)), []);
  await context.close();
});
