// Certificates and mail: the organiser previews eligibility, issues the certificates of one tier,
// watches the sending progress bar reach the end, opens one PDF (its first page rendered with
// pdftoppm is kept as a screenshot, its text holds the holder's Chinese name, and its QR code
// leads to the verify page), revokes it, the verify page says revoked, and re-issues it. `.ci/e2e.sh` relaxes
// the programme's rule (no hours, no quiz) so the demo trainees are eligible, and sends mail to
// .eml files, as a server without SMTP does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASE_URL, SCREENSHOTS, launch, newContext, hydrated, accessibilityViolations, screenshot } from '../lib/harness.mjs';
import { adminPage, createPerson, firstLogin } from '../lib/journeys.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('issue a tier, watch the mail go out, verify a PDF by its QR code, revoke it', async () => {
  const admin = await adminPage(browser);
  const link = await createPerson(admin.page, { name: '发证人周敏', phone: `137${Date.now().toString().slice(-8)}`, role: 'organiser' });
  await admin.context.close();
  const organiser = await firstLogin(browser, link, 'organiser-pass-88');
  const page = organiser.page;
  await page.setViewportSize({ width: 1280, height: 900 });

  // Preview: every trainee with the reason they are (not) eligible, then one tier.
  await page.goto(BASE_URL + '/certificates');
  await hydrated(page);
  await page.selectOption('#cert-tier', 'expert');
  await page.selectOption('#cert-only', 'eligible');
  const rows = page.locator('[data-testid="cert-row"]');
  const experts = await rows.count();
  assert.ok(experts >= 10, `assessment experts eligible: ${experts}`);
  assert.match(await page.textContent('[data-testid="issue"]'), new RegExp(`${experts}`));

  // Issue: the progress bar follows the messages until every one is sent.
  await page.click('[data-testid="issue"]');
  await page.locator('[data-testid="issue-result"]').waitFor();
  await page.locator('[data-testid="batch-done"]').waitFor({ timeout: 60000 });
  assert.equal(await page.textContent('[data-testid="batch-total"]'), String(experts));
  assert.equal(await page.textContent('[data-testid="batch-sent"]'), String(experts));
  assert.equal(await page.textContent('[data-testid="batch-failed"]'), '0');
  const bar = page.locator('[data-testid="batch-bar"]');
  assert.equal(await bar.getAttribute('value'), String(experts));
  assert.equal(await bar.getAttribute('max'), String(experts));
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'certificates-sent');

  // One PDF: A4 landscape with the holder's Chinese name, and a QR code of its verify URL.
  const first = rows.first();
  const holder = (await first.locator('td').first().textContent()).trim();
  const pdfLink = first.locator('[data-testid="pdf"]');
  const serial = (await pdfLink.textContent()).trim();
  const pdf = await page.request.get(BASE_URL + (await pdfLink.getAttribute('href')));
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'academy-cert-'));
  const file = path.join(dir, 'certificate.pdf');
  fs.writeFileSync(file, await pdf.body());
  const text = execFileSync('pdftotext', [file, '-']).toString().replace(/\s+/g, '');
  assert.ok(text.includes(holder), `the PDF names ${holder}`);
  assert.ok(text.includes('结业证书'));
  execFileSync('pdftoppm', ['-png', '-r', '100', '-singlefile', file, path.join(dir, 'page')]);
  fs.copyFileSync(path.join(dir, 'page.png'), path.join(SCREENSHOTS, 'certificate-pdf.png'));
  const verifyUrl = execFileSync('zbarimg', ['--raw', '-q', path.join(dir, 'page.png')]).toString().trim();
  assert.equal(verifyUrl, `${BASE_URL}/verify/${serial}`);

  // Anyone who scans it sees it is valid.
  const visitor = await newContext(browser);
  const scan = await visitor.newPage();
  await scan.goto(verifyUrl);
  await hydrated(scan);
  assert.equal(await scan.getAttribute('[data-testid="verdict"]', 'data-valid'), 'true');
  assert.equal((await scan.textContent('[data-testid="holder"]')).trim(), holder);

  // The organiser revokes it with a reason; the verify page says so.
  await page.fill(`#reason-${serial}`, '信息有误，重新核发');
  await first.locator('[data-testid="revoke"]').click();
  await page.locator(`[data-testid="cert-row"]:has-text("${serial}") .status--absent`).waitFor();
  await scan.reload();
  await hydrated(scan);
  assert.equal(await scan.getAttribute('[data-testid="verdict"]', 'data-valid'), 'false');
  assert.match(await scan.textContent('[data-testid="verdict"]'), /信息有误，重新核发/);
  await screenshot(scan, 'verify-revoked');

  // 重新颁发 replaces it: a new serial, valid, while the old one stays revoked.
  const person = await first.getAttribute('data-person');
  const row = page.locator(`[data-testid="cert-row"][data-person="${person}"]`);
  await row.locator('[data-testid="reissue"]').click();
  await page.locator('[data-testid="reissue-result"]').waitFor();
  await row.locator(`[data-testid="pdf"]:not(:has-text("${serial}"))`).waitFor();
  const renewed = (await row.locator('[data-testid="pdf"]').textContent()).trim();
  assert.notEqual(renewed, serial);
  assert.equal(await row.locator('.status--absent').count(), 0);
  await scan.goto(`${BASE_URL}/verify/${renewed}`);
  await hydrated(scan);
  assert.equal(await scan.getAttribute('[data-testid="verdict"]', 'data-valid'), 'true');

  // The outbox lists the messages as sent.
  await page.goto(BASE_URL + '/admin/mail?status=sent');
  await hydrated(page);
  assert.ok(Number(await page.textContent('[data-testid="outbox-sent"]')) >= experts);
  assert.ok(await page.locator('[data-testid="mail-row"][data-status="sent"]').count() >= experts);
  // Any message downloads as the .eml it went out as.
  const eml = await page.request.get(BASE_URL + await page.locator('[data-testid="eml"]').first().getAttribute('href'));
  assert.equal(eml.status(), 200);
  assert.equal(eml.headers()['content-type'], 'message/rfc822');
  assert.match(await eml.text(), /Message-ID: /i);
  assert.deepEqual(await accessibilityViolations(page), []);
  // A trainee says a certificate never came: 重新发送 queues a copy of it.
  const lost = page.locator('[data-testid="mail-row"][data-status="sent"]', { hasText: '结业证书' })
    .filter({ hasNotText: holder }).first();
  const recipient = (await lost.locator('td').first().textContent()).trim();
  const before = await page.locator('[data-testid="mail-row"]', { hasText: recipient }).count();
  await lost.locator('[data-testid="resend"]').click();
  await page.locator('[data-testid="resent"]').waitFor();
  await page.goto(BASE_URL + '/admin/mail');
  await hydrated(page);
  assert.ok(await page.locator('[data-testid="mail-row"]', { hasText: recipient }).count() >= before + 1, 'the copy is listed');

  assert.deepEqual(organiser.context.errors, []);
  assert.deepEqual(visitor.errors, []);
  await visitor.close();
  await organiser.context.close();
});
