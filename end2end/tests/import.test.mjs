// Import: a scheduler, on a phone, opens the import page from the people page, downloads the
// template, uploads a bad delegates' spreadsheet (rejected: every bad row listed, nothing
// written), then the corrected one (imported), and finds the new delegates in the people list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, hydrated, accessibilityViolations, screenshot, launch } from '../lib/harness.mjs';
import { adminPage, createPerson, firstLogin } from '../lib/journeys.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The unified social credit code's check character (GB 32100-2015).
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function creditCode(first17) {
  const sum = [...first17].reduce((s, c, i) => s + CHARSET.indexOf(c) * WEIGHTS[i], 0);
  return first17 + CHARSET[(31 - (sum % 31)) % 31];
}

test('a scheduler imports the delegates: a bad file is rejected row by row, the good one goes in', async () => {
  const stamp = Date.now().toString().slice(-7);
  const admin = await adminPage(browser);
  const link = await createPerson(admin.page, { name: '排课员孙丽', phone: `137${Date.now().toString().slice(-8)}`, role: 'scheduler' });
  await admin.context.close();
  const { context, page } = await firstLogin(browser, link, 'import-pass-3');

  await page.goto(BASE_URL + '/admin/people');
  await hydrated(page);
  await page.click('[data-testid="import-link"]');
  await page.waitForURL('**/admin/import');
  await hydrated(page);
  assert.deepEqual(await accessibilityViolations(page), []);
  const template = await page.request.get(BASE_URL + '/admin/import/template.xlsx');
  assert.equal(template.status(), 200);

  const a = creditCode(`91120116MA${stamp}`);
  const b = creditCode(`91120117MA${stamp}`);
  const header = '企业名称,统一社会信用代码,所属区县,纳入原因,姓名,手机号,邮箱,层次,职务';
  const rows = [
    `天津导入测试化工有限公司,${a},滨海新区,VOCs,导入王伟,139${stamp}1,,企业厂长（经理）,总经理`,
    `天津导入测试化工有限公司,${a},,,导入李娜,139${stamp}2,,内审员,`,
    `天津导入测试热电有限公司,${b},东丽区,燃煤,导入张强,139${stamp}3,,内审员,`,
  ];
  // The bad file: a mistyped credit code, a short mobile number, a tier that does not exist.
  const bad = [
    header,
    rows[0],
    rows[1].replace(`139${stamp}2`, '1390000'),
    rows[2].replace(b, b.slice(0, 17) + (b.endsWith('0') ? '1' : '0')).replace('内审员', '学生'),
  ].join('\n');
  await page.setInputFiles('[data-testid="import-file"]', { name: '学员名单.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.click('[data-testid="import-submit"]');
  await page.locator('[data-testid="import-rejected"]').waitFor();
  assert.equal(await page.textContent('[data-testid="issue-count"]'), '3');
  const issues = await page.locator('[data-testid="issue-row"]').allTextContents();
  assert.match(issues[0], /^3.*手机号/);
  assert.match(issues[1], /^4.*统一社会信用代码.*校验位/);
  assert.match(issues[2], /^4.*层次/);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'import-rejected-phone');

  // The corrected file.
  await page.setInputFiles('[data-testid="import-file"]', { name: '学员名单.csv', mimeType: 'text/csv', buffer: Buffer.from([header, ...rows].join('\n')) });
  await page.click('[data-testid="import-submit"]');
  await page.locator('[data-testid="import-done"]').waitFor();
  const summary = await page.textContent('[data-testid="import-summary"]');
  assert.match(summary, /企业：新增 2，更新 0，未变 0/);
  assert.match(summary, /学员：新增 3，更新 0，未变 0/);
  await screenshot(page, 'import-done-phone');

  // Once more: nothing changes.
  await page.click('[data-testid="import-submit"]');
  await page.waitForFunction(() => /学员：新增 0，更新 0，未变 3/.test(document.querySelector('[data-testid="import-summary"]')?.textContent ?? ''));

  await page.goto(BASE_URL + '/admin/people?enterprise=' + encodeURIComponent('导入测试'));
  await hydrated(page);
  assert.equal(await page.textContent('[data-testid="people-total"]'), '共 3');

  // One enterprise corrected by hand: found by its code, moved to another district.
  await page.goto(BASE_URL + '/admin/enterprises');
  await hydrated(page);
  await page.fill('[data-testid="ent-search"]', b);
  const row = page.locator(`[data-testid="enterprise-row"][data-code="${b}"]`);
  assert.equal(await page.locator('[data-testid="enterprise-row"]').count(), 1);
  assert.match(await row.textContent(), /东丽区/);
  await row.locator('[data-testid="edit-enterprise"]').click();
  assert.equal(await page.inputValue('[data-testid="ent-code"]'), b);
  // A mistyped code is refused by name, and what was typed stays.
  await page.fill('[data-testid="ent-code"]', b.slice(0, 17) + (b.endsWith('0') ? '1' : '0'));
  await page.click('[data-testid="save-enterprise"]');
  await page.locator('[data-testid="enterprise-error"]').waitFor();
  assert.match(await page.textContent('[data-testid="enterprise-error"]'), /统一社会信用代码.*校验位/);
  await page.fill('[data-testid="ent-code"]', b);
  await page.selectOption('[data-testid="ent-district"]', { label: '西青区' });
  await page.click('[data-testid="save-enterprise"]');
  await page.locator('[data-testid="enterprise-saved"]').waitFor();
  await row.filter({ hasText: '西青区' }).waitFor();
  assert.deepEqual(await accessibilityViolations(page), []);
  // Readable on a phone: the table scrolls in its own box, the page is no wider than the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
  await screenshot(page, 'enterprises-phone');
  assert.deepEqual(context.errors.filter((e) => !/status of 422/.test(e)), []);
  await context.close();
});
