import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, graphql } from './support/graphql-client.js';
import { startHubProcess, type HubProcess } from './support/hub-process.js';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it when missing). */
const CHROMIUM = '/usr/bin/chromium';
/** Screenshots for a person to look at; ignored by git. */
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const STAFF = 'pratiche.verdi';

/**
 * The staff dashboard in a real browser against the hub started as `npm start` does: a practices
 * clerk signs in through identity's development login and watches a citizen's practice arrive.
 */
describe('staff dashboard', () => {
  let dataDir: string;
  let profileDir: string;
  let hub: HubProcess;
  let api: string;
  let identity: string;
  let dashboard: string;
  let browser: BrowserContext;
  let page: Page;
  /** The browser's live connections to the gateway, and whether the network is "down" for them. */
  const sockets = new Set<WebSocketRoute>();
  const network = { down: false };

  async function submitPractice(): Promise<string> {
    const citizen = await devToken(identity, { kind: 'citizen' });
    const draft = await graphql<{ createPracticeDraft: { id: string } }>(
      api,
      'mutation Draft($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { id } }',
      {
        token: citizen.access_token,
        variables: {
          input: {
            typeCode: 'bulky-waste-collection',
            data: {
              pickupAddress: { street: 'Via Roma', number: '12', postcode: '12100' },
              items: [{ kind: 'mattress', description: 'Materasso matrimoniale' }],
              phone: '+39 0171 123456',
            },
          },
        },
      },
    );
    expect(draft.errors).toBeUndefined();
    const id = draft.data!.createPracticeDraft.id;
    const submitted = await graphql(api, `mutation { submitPractice(id: "${id}") { status } }`, {
      token: citizen.access_token,
    });
    expect(submitted.errors).toBeUndefined();
    return id;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sportello-dashboard-'));
    profileDir = await mkdtemp(join(tmpdir(), 'sportello-chromium-'));
    hub = startHubProcess('embedded', {
      PORT: '0',
      SMTP_PORT: '0',
      DATA_DIR: dataDir,
      DEMO_HOUSEHOLDS: '200',
    });
    const output = await hub.waitFor('Sportello is up.');
    api = /GraphQL API\s+(\S+)/.exec(output)![1]!;
    identity = /demo tokens\s+POST (\S+)\/auth\/dev\/token/.exec(output)![1]!;
    dashboard = /staff dashboard\s+(\S+)/.exec(output)![1]!;

    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        // Without these Chromium calls home, and this machine's closed network refuses it.
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    // Every graphql-ws connection goes through here, so a test can cut the network under it.
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      if (network.down) return void socket.close({ code: 1006, reason: 'network down' });
      const server = socket.connectToServer();
      sockets.add(socket);
      socket.onClose(() => {
        sockets.delete(socket);
        void server.close();
      });
      server.onClose(() => void socket.close());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(profileDir, { recursive: true, force: true });
  });

  it('signs a practices clerk in through identity and shows their queue, live', async () => {
    await page.goto(dashboard);
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('it');
    await page.getByRole('button', { name: 'Accedi' }).click();
    // Identity's development login, on identity's own origin.
    await page.waitForURL((url) => url.toString().startsWith(identity));
    await page.locator(`button[name="staff_username"][value="${STAFF}"]`).click();
    await page.waitForURL((url) => url.pathname === '/dashboard/');
    await expect.poll(() => page.locator('#queue-title').textContent()).toBe('Pratiche in coda');
    await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('header').textContent()).toContain(STAFF);
    // Staff of practices see no payments (tributi) and no dead letters (admin).
    expect(await page.locator('#payments').count()).toBe(0);
    expect(await page.locator('#dead-letters-table').count()).toBe(0);
  });

  it('shows a practice submitted through the API within a second, without reloading', async () => {
    await page.evaluate(() => Object.assign(window, { loadedOnce: true }));
    const id = await submitPractice();
    const submittedAt = Date.now();
    const row = page.locator(`tr[data-practice-id="${id}"]`);
    await row.waitFor({ timeout: 5_000 });
    expect(Date.now() - submittedAt).toBeLessThan(1_000);
    expect(await row.getAttribute('class')).toContain('fresh');
    expect(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    // Said to screen-reader users too.
    expect(await page.locator('#announcements').textContent()).toContain('Nuova pratica');

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('catches up after the network dropped: what was missed shows once it reconnects', async () => {
    network.down = true;
    for (const socket of sockets) await socket.close({ code: 1006, reason: 'network down' });
    await page.locator('#connection[data-state="reconnecting"]').waitFor({ timeout: 5_000 });

    const missed = await submitPractice();
    await page.waitForTimeout(1_500);
    expect(await page.locator(`tr[data-practice-id="${missed}"]`).count()).toBe(0);

    network.down = false;
    await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 15_000 });
    await page.locator(`tr[data-practice-id="${missed}"]`).waitFor({ timeout: 5_000 });
    // And it is live again.
    const next = await submitPractice();
    await page.locator(`tr[data-practice-id="${next}"]`).waitFor({ timeout: 5_000 });
  });

  it('is usable from the keyboard, with a visible focus and an English version', async () => {
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
    const language = page.locator('#language');
    await language.focus();
    expect(await language.evaluate((element) => getComputedStyle(element).outlineStyle)).toBe('solid');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#queue-title').textContent()).toBe('Practice queue');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-en.png'), fullPage: true });
    await page.locator('#language').click();
    await expect.poll(() => page.locator('#queue-title').textContent()).toBe('Pratiche in coda');
  });
});
