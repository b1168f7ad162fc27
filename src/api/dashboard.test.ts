import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './pdf.js';
import { pngStats } from './png-colours.js';
import { startFixture, type Fixture } from './test-fixture.js';

// The callbacks below run in the browser; the project compiles without the DOM library.
declare const document: {
  querySelector(s: string): { textContent: string | null } | null;
  querySelectorAll(s: string): { length: number };
};
declare function getComputedStyle(e: unknown): { backgroundColor: string };

// Real browser tests: Debian's Chromium driven by playwright-core, against the real server.
const skip = existsSync(CHROMIUM_PATH) ? false : `Chromium not installed at ${CHROMIUM_PATH} (apt install chromium); browser tests skipped`;
const SHOTS = process.env['SURVEILLANCE_SCREENSHOTS'] ?? join(tmpdir(), 'surveillance-screenshots');

let f: Fixture;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  if (skip) return;
  f = await startFixture();
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.setDefaultTimeout(8000);
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await f?.close();
});

/** Takes a screenshot, keeps it for humans, and checks it shows more than a blank page. */
async function shot(name: string, minColours: number): Promise<void> {
  const png = await page.screenshot({ fullPage: true });
  writeFileSync(join(SHOTS, `${name}.png`), png);
  const st = pngStats(png);
  assert.ok(st.width >= 1000 && st.height >= 500, `${name}: ${st.width}×${st.height}`);
  assert.ok(st.colours >= minColours, `${name}: only ${st.colours} distinct colours — looks blank`);
}

test('sign in, then the queue shows alerts with level colours, counts and live updates', { skip }, async () => {
  await page.goto(f.url);
  await page.fill('#token', f.tokens.analyst);
  await page.click('#signin');
  await page.waitForSelector('tr.row[data-id="spoof1"]');
  // Default filter is active alerts: all three fixture alerts are active.
  assert.equal(await page.locator('tr.row').count(), 3);
  const bg = await page.locator('tr.row[data-id="spoof1"] .badge').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(bg, 'rgb(142, 36, 170)', 'critical is purple');
  assert.equal(await page.locator('[data-level="critical"] b').textContent(), '1');
  await page.waitForSelector('#live.on');
  await page.waitForTimeout(200);
  await f.store.upsertAlerts([
    { ...(await f.store.getAlert('wash1'))!, alert_id: 'live-new', timestamp: '2026-03-02T15:00:00.000Z', level: 'critical' },
  ]);
  await page.waitForSelector('tr.row[data-id="live-new"]');
  assert.equal(await page.locator('tr.row').first().getAttribute('data-id'), 'live-new', 'new alerts appear at the top');
  await page.waitForFunction(() => document.querySelector('[data-level="critical"] b')?.textContent === '2');
  await shot('queue', 12);
  // Filters narrow the list.
  await page.selectOption('[data-testid="filter-type"]', 'spoofing');
  await page.click('[data-testid="apply"]');
  await page.waitForFunction(() => document.querySelectorAll('tr.row').length === 1);
  await page.selectOption('[data-testid="filter-type"]', '');
  await page.click('[data-testid="apply"]');
  await page.waitForFunction(() => document.querySelectorAll('tr.row').length === 4);
});

test('queue → alert: price/volume chart with evidence marked, order timeline, metrics', { skip }, async () => {
  await page.click('tr.row[data-id="spoof1"]');
  await page.waitForSelector('[data-testid="price-chart"]');
  assert.match((await page.textContent('[data-testid="alert-title"]')) ?? '', /Spoofing/);
  assert.equal(await page.locator('[data-testid="price-chart"] .trade-mark').count(), 1);
  assert.equal(await page.locator('[data-testid="price-chart"] .order-mark').count(), 7);
  await page.waitForSelector('[data-testid="order-timeline"]');
  assert.match((await page.textContent('[data-testid="metrics"]')) ?? '', /size_multiple/);
  await shot('alert-spoofing', 20);
});

test('wash trading alert shows the accounts graph', { skip }, async () => {
  await page.goto(`${f.url}/#/alert/wash1`);
  await page.waitForSelector('[data-testid="account-graph"]');
  const text = (await page.textContent('[data-testid="account-graph"]')) ?? '';
  for (const acc of ['A', 'B', 'C']) assert.ok(text.includes(acc));
  await shot('alert-wash', 15);
});

test('resolve from the alert page: status changes and the history records it', { skip }, async () => {
  await page.goto(`${f.url}/#/alert/spoof1`);
  await page.waitForSelector('[data-testid="resolve"]');
  await page.click('[data-testid="assign"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="history"]')?.textContent?.includes('assign'));
  await page.fill('#note', 'confirmed: layered bids cancelled after the sell');
  await page.click('[data-testid="resolve"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent?.startsWith('resolved'));
  const hist = (await page.textContent('[data-testid="history"]')) ?? '';
  assert.match(hist, /resolve/);
  assert.match(hist, /analyst-user/);
  assert.match(hist, /status: active → resolved/);
  const stored = await f.store.getAlert('spoof1');
  assert.equal(stored?.status, 'resolved');
  assert.equal(stored?.resolution_note, 'confirmed: layered bids cancelled after the sell');
  await shot('alert-resolved', 20);
});

test('summary charts and the STOR report page', { skip }, async () => {
  await page.goto(`${f.url}/#/summary`);
  await page.waitForSelector('[data-testid="timeline-chart"] rect[fill="#8e24aa"]');
  await shot('summary', 12);
  await page.goto(`${f.url}/#/report/wash1`);
  const frame = page.frameLocator('[data-testid="report-frame"]');
  await frame.locator('text=Suspicious Transaction and Order Report').waitFor();
  assert.match((await frame.locator('body').textContent()) ?? '', /Section 4/);
  await shot('report', 8);
  assert.deepEqual(pageErrors, []);
});
