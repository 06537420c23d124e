// Attendance: the projector shows a QR code that encodes the check-in URL; a trainee on a phone
// opens it and is checked in, and the projector's count rises without a reload; the same URL
// after the code has changed is refused; an instructor marks another trainee excused; the
// organiser's dashboard shows every enterprise and exports XLSX; a district official sees only
// their district. `.ci/e2e.sh` moves 第七期 to the present and makes codes change every 3 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASE_URL, launch, hydrated, accessibilityViolations, screenshot, until } from '../lib/harness.mjs';
import { adminPage, createPerson, firstLogin, newTrainee } from '../lib/journeys.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const DRILL = BASE_URL + '/sessions/7';
const phone = (prefix) => `${prefix}${Date.now().toString().slice(-8)}`;

async function enrolInDrill(page) {
  await page.goto(DRILL);
  await hydrated(page);
  assert.match(await page.textContent('h1'), /扫码签到演练/);
  await page.click('[data-testid="enrol"]');
  await page.locator('[data-testid="leave"]').waitFor();
}

async function staff(role, name, extra = {}) {
  const admin = await adminPage(browser);
  const login = phone('139');
  const link = await createPerson(admin.page, { name, phone: login, role, ...extra });
  await admin.context.close();
  const person = await firstLogin(browser, link, `${role}-pass-77`);
  await person.page.setViewportSize({ width: 1280, height: 900 });
  return { ...person, login };
}

// The school links a lecturer of the programme to a person's account in the planner.
async function linkLecturer(lecturer, login) {
  const admin = await adminPage(browser);
  await admin.page.goto(BASE_URL + '/admin/plan');
  await hydrated(admin.page);
  await admin.page.locator('[data-testid="lecturer-row"]', { hasText: lecturer }).locator('[data-testid="edit-lecturer"]').click();
  assert.equal(await admin.page.inputValue('#lecturer-name'), lecturer);
  await admin.page.fill('#lecturer-login', login);
  await admin.page.click('[data-testid="save-lecturer"]');
  await admin.page.locator('[data-testid="lecturer-saved"]').waitFor();
  await admin.context.close();
}

test('QR check-in, live count, an expired code, roll call, and the progress dashboard', async () => {
  const first = await newTrainee(browser, { name: '签到学员甲', tier: 'auditor', password: 'checkin-pass-1' });
  const second = await newTrainee(browser, { name: '签到学员乙', tier: 'auditor', password: 'checkin-pass-2' });
  await enrolInDrill(first.page);
  await enrolInDrill(second.page);

  // An instructor runs only the sessions they teach: before the school names them the drill's
  // lecturer, the projector is neither offered nor served.
  const instructor = await staff('instructor', '讲师孙立');
  const projector = instructor.page;
  await projector.goto(DRILL);
  await hydrated(projector);
  assert.equal(await projector.locator('[data-testid="projector-link"]').count(), 0);
  await projector.goto(DRILL + '/projector');
  await hydrated(projector);
  assert.match(await projector.textContent('main'), /没有权限/);
  assert.equal(await projector.locator('[data-testid="qr"]').count(), 0);
  await linkLecturer('演练讲师', instructor.login);

  // Now the drill is among the sessions they teach, and they put its code on the screen.
  await projector.goto(BASE_URL + '/my/schedule');
  await hydrated(projector);
  await projector.locator('[data-testid="teaching-session"]', { hasText: '扫码签到演练' }).locator('a').first().click();
  await projector.waitForURL(/\/sessions\/7$/);
  await hydrated(projector);
  await projector.click('[data-testid="projector-link"]');
  await projector.waitForURL(/\/sessions\/7\/projector$/);
  await hydrated(projector);
  const qr = projector.locator('[data-testid="qr"]');
  const url = await qr.getAttribute('data-url');
  assert.ok(url.startsWith(BASE_URL + '/check-in?t='), url);
  assert.equal(await projector.textContent('[data-testid="count-checked-in"]'), '0');
  assert.deepEqual(await accessibilityViolations(projector), []);
  await screenshot(projector, 'projector');

  // The picture on the screen is a QR code of that URL (read back with zbarimg). The page
  // refreshes every 2 s, so the code is read just before and just after the picture is taken.
  const png = path.join(os.tmpdir(), `qr-${process.pid}.png`);
  const before = await qr.getAttribute('data-url');
  await qr.screenshot({ path: png });
  const shown = await qr.getAttribute('data-url');
  const decoded = execFileSync('zbarimg', ['--raw', '-q', png]).toString().trim();
  fs.rmSync(png);
  assert.ok([before, shown].includes(decoded), `${decoded} is neither ${before} nor ${shown}`);
  await projector.evaluate(() => { window.__sameProjectorPage = true; });

  // The first trainee scans it on their phone.
  await first.page.goto(shown);
  await hydrated(first.page);
  await first.page.click('[data-testid="check-in"]');
  const result = first.page.locator('[data-testid="checkin-result"]');
  await result.waitFor();
  assert.equal(await result.getAttribute('data-status'), 'present');
  assert.match(await result.textContent(), /签到成功/);
  assert.deepEqual(await accessibilityViolations(first.page), []);
  await screenshot(first.page, 'checkin-phone');

  // The projector's count rises by itself, on the same page.
  await projector.waitForFunction(
    () => document.querySelector('[data-testid="count-checked-in"]')?.textContent === '1',
    null, { timeout: 15000 },
  );
  assert.equal(await projector.evaluate(() => window.__sameProjectorPage), true, 'no reload');
  assert.match(await projector.textContent('[data-testid="arrivals"]'), /签到学员甲/);

  // The code changes on the screen (every 3 s; a code is honoured 5 s after it changed). Once
  // three newer codes have been shown the first one is refused, with a message that says why.
  const seen = new Set([shown]);
  await until(async () => { seen.add(await qr.getAttribute('data-url')); return seen.size >= 4; },
    { every: 500, timeout: 30000, what: 'three newer codes on the projector' });
  await second.page.goto(shown);
  await hydrated(second.page);
  await second.page.click('[data-testid="check-in"]');
  const refused = second.page.locator('[data-testid="form-error"]');
  await refused.waitFor();
  assert.match(await refused.textContent(), /过期/);

  // Roll call: the instructor marks the second trainee excused.
  await projector.goto(BASE_URL + '/sessions/7/attendance');
  await hydrated(projector);
  const row = projector.locator('[data-testid="roll-row"]', { hasText: '签到学员乙' });
  await row.locator('[data-testid="status-select"]').selectOption('excused');
  await row.locator('input[name="note"]').fill('会议冲突');
  await row.locator('[data-testid="mark"]').click();
  await projector.waitForFunction(() => {
    const r = [...document.querySelectorAll('[data-testid="roll-row"]')].find((x) => x.textContent.includes('签到学员乙'));
    return r?.getAttribute('data-status') === 'excused';
  });
  const firstRow = projector.locator('[data-testid="roll-row"]', { hasText: '签到学员甲' });
  assert.equal(await firstRow.getAttribute('data-status'), 'present');
  assert.equal(await projector.textContent('[data-testid="count-excused"]'), '1');
  assert.deepEqual(await accessibilityViolations(projector), []);

  // The organiser's dashboard: every enterprise, the share done, an XLSX export.
  const organiser = await staff('organiser', '组织方钱芳');
  await organiser.page.goto(BASE_URL + '/progress');
  await hydrated(organiser.page);
  const rows = organiser.page.locator('[data-testid="progress-row"]');
  assert.equal(await rows.count(), 82);
  assert.match(await organiser.page.textContent('[data-testid="progress-summary"]'), /\/82 家企业达标/);
  assert.ok(await organiser.page.locator('[data-testid="district-chart"] rect').count() > 2);
  assert.deepEqual(await accessibilityViolations(organiser.page), []);
  await screenshot(organiser.page, 'progress-dashboard');
  const [download] = await Promise.all([
    organiser.page.waitForEvent('download'),
    organiser.page.click('[data-testid="progress-xlsx"]'),
  ]);
  const file = await download.path();
  assert.equal(fs.readFileSync(file).subarray(0, 2).toString(), 'PK');

  // A district official sees their district only.
  const official = await staff('district_official', '区县干部周宁', { district: '和平区' });
  await official.page.goto(BASE_URL + '/progress');
  await hydrated(official.page);
  assert.match(await official.page.textContent('[data-testid="scope"]'), /和平区/);
  const theirs = official.page.locator('[data-testid="progress-row"]');
  const n = await theirs.count();
  assert.ok(n > 0 && n < 82, `${n} enterprises`);
  for (const text of await theirs.allTextContents()) assert.match(text, /和平区/);

  // The refused scan answers 422, which the browser logs; nothing else may go wrong.
  assert.deepEqual(second.context.errors.filter((e) => !/status of 422/.test(e)), []);
  // The instructor's projector was refused (403) before they were named the drill's lecturer.
  assert.deepEqual(instructor.context.errors.filter((e) => !/status of 403/.test(e)), []);
  for (const c of [first, second, instructor, organiser, official]) {
    if (c !== second && c !== instructor) assert.deepEqual(c.context.errors, []);
    await c.context.close();
  }
});
