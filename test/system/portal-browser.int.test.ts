// The approver portal in a real headless Chromium (Debian's `chromium`, driven by
// playwright-core): bob signs in through the dev OpenID provider's form, finds the
// request in his inbox, opens it and approves it with the checklist. axe-core finds no
// serious or critical violation on the inbox or the request page, and on a phone-sized
// screen nothing scrolls sideways. ASSENT_PORTAL_SCREENSHOTS=<dir> saves the README's screenshots.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { approvalsv1 } from '@assent/proto';
import { TENANT, startPortalWorld, type PortalWorld } from './support/portal.js';

const chromiumPath = process.env['ASSENT_CHROMIUM'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const screenshots = process.env['ASSENT_PORTAL_SCREENSHOTS'];

let world: PortalWorld | undefined;
let browser: Browser | undefined;
const w = () => world as PortalWorld;

beforeAll(async () => {
  // Never skipped: without a browser the test fails and says how to get one.
  if (!chromiumPath) throw new Error('Chromium not found: apt-get install -y chromium (or set ASSENT_CHROMIUM to its path)');
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  world = await startPortalWorld();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await world?.stop();
}, 60_000);

/** axe-core's serious and critical violations on the page (the script is injected past the page's CSP, which allows none). */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown }[] }[] }> } }).axe;
    return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
}

const snap = async (page: Page, name: string) => {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, name), fullPage: true });
};

describe('the approver portal in Chromium', () => {
  it('bob signs in, finds the request in his inbox and approves it from its page', async () => {
    const id = await w().newRequest('payout-account/42', 'Vendor Globex changed banks; new IBAN in ticket FIN-1234');
    await w().newRequest('payout-account/7', 'Quarterly vendor review: new remittance address');
    const context = await (browser as Browser).newContext({ bypassCSP: true, viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    try {
      await page.goto(`${w().base}/inbox`);
      // The dev provider's login form.
      await page.getByLabel('Person').selectOption('bob');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${w().base}/inbox`);
      expect(new URL(page.url()).search, 'no code or token left in the address').toBe('');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Inbox');
      const link = page.getByRole('link', { name: 'payouts.change_details' }).and(page.locator(`a[href="/requests/${TENANT}/${id}"]`));
      expect(await link.count()).toBe(1);
      expect(await page.getByRole('link', { name: 'Pending' }).getAttribute('aria-current')).toBe('page');
      await snap(page, 'portal-inbox.png');
      expect(await accessibilityProblems(page), 'inbox').toEqual([]);

      // Keyboard users reach the content first.
      await page.reload();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent)).toBe('Skip to content');

      await link.click();
      await page.waitForURL(`${w().base}/requests/${TENANT}/${id}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('payouts.change_details on payout-account/42');
      expect(await page.getByText('Waiting for: user:bob, user:carol').count(), 'who is asked').toBe(1);
      await snap(page, 'portal-request.png');
      expect(await accessibilityProblems(page), 'request page').toEqual([]);

      await page.getByLabel('I confirmed the new bank details with the vendor by phone').check();
      await page.getByLabel('Reason (required)').fill('Confirmed with Globex by phone');
      await page.getByRole('button', { name: 'Approve', exact: true }).click();
      await page.waitForURL(`${w().base}/requests/${TENANT}/${id}?done=approve`);
      expect(await page.getByRole('status').textContent()).toBe('You approved this request.');
      expect(await page.locator('.timeline').textContent(), 'the history shows the vote').toContain('bob approved: Confirmed with Globex by phone');

      const { request } = await (await w().approvalsAs('alice')).getRequest({ tenant: TENANT, id });
      expect(request?.state).toBe(approvalsv1.RequestState.REQUEST_STATE_APPROVED);
      expect(request?.votes.map((v) => v.approver)).toEqual(['bob']);
    } finally {
      await context.close();
    }
  });

  it('fits a phone screen: nothing scrolls sideways on the inbox or the request page', async () => {
    const id = await w().newRequest('payout-account/phone');
    const context = await (browser as Browser).newContext({ bypassCSP: true, viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    try {
      await page.goto(`${w().base}/inbox`);
      await page.getByLabel('Person').selectOption('carol');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${w().base}/inbox`);
      const sideways = () =>
        page.evaluate(() => {
          const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
          return g.document.documentElement.scrollWidth - g.innerWidth;
        });
      expect(await sideways(), 'inbox').toBeLessThanOrEqual(0);
      await page.goto(`${w().base}/requests/${TENANT}/${id}`);
      expect(await sideways(), 'request page').toBeLessThanOrEqual(0);
    } finally {
      await context.close();
    }
  });
});
