import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { devToken, graphql } from './support/graphql-client.js';
import { startHubProcess, type HubProcess } from './support/hub-process.js';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it when missing). */
const CHROMIUM = '/usr/bin/chromium';
/** Screenshots for a person to look at; ignored by git. */
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const STAFF = 'pratiche.verdi';
/** Short-lived access tokens, so the dashboard renews them while the test watches. */
const ACCESS_TOKEN_TTL_SECONDS = 60;
/** The dashboard signs a clerk out after this long without input. */
const IDLE_SECONDS = 60;

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
  /** The page's refreshes of its token at identity: when they were answered, and how. */
  const renewals: { status: number; at: number }[] = [];
  let signedInAt = 0;
  let pointer = 0;

  /** The clerk moves the mouse: they are there. */
  async function beActive(): Promise<void> {
    pointer += 1;
    await page.mouse.move(200 + (pointer % 50) * 7, 300 + (pointer % 13) * 11);
  }

  /** Signs the practices clerk in through identity's development login. */
  async function signInAsClerk(): Promise<void> {
    await page.getByRole('button', { name: 'Accedi' }).click();
    // Identity's development login, on identity's own origin.
    await page.waitForURL((url) => url.toString().startsWith(identity));
    await page.locator('input[name="staff_username"]').fill(STAFF);
    await page.locator('input[name="staff_username"]').press('Enter');
    await page.waitForURL((url) => url.pathname === '/dashboard/');
    signedInAt = Date.now();
    await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 10_000 });
  }

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
      ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
      GATEWAY_DASHBOARD_IDLE_SECONDS: String(IDLE_SECONDS),
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
      // Close codes pass through: the page must see the gateway's "token expired" as it is.
      const passed = (code: number | undefined, reason: string | undefined) =>
        code === 1000 || (code !== undefined && code >= 3000 && code <= 4999) ? { code, reason } : {};
      socket.onClose((code, reason) => {
        sockets.delete(socket);
        void server.close(passed(code, reason));
      });
      server.onClose((code, reason) => void socket.close(passed(code, reason)));
    });
    page.on('response', (response) => {
      const request = response.request();
      if (
        request.url().endsWith('/oauth/token') &&
        request.postData()?.includes('grant_type=refresh_token')
      ) {
        renewals.push({ status: response.status(), at: Date.now() });
      }
    });
  });

  // The clerk is at the desk during every test (the idle one stops moving after this).
  beforeEach(async () => {
    if (page.url().startsWith(dashboard)) await beActive();
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
    await signInAsClerk();
    await expect.poll(() => page.locator('#queue-title').textContent()).toBe('Pratiche in coda');
    expect(await page.locator('header').textContent()).toContain(STAFF);
    // Staff of practices see no payments (tributi) and no dead letters (admin).
    expect(await page.locator('#payments').count()).toBe(0);
    expect(await page.locator('#dead-letters-table').count()).toBe(0);
  });

  it('shows a practice submitted through the API within seconds, without reloading', async () => {
    await page.evaluate(() => Object.assign(window, { loadedOnce: true }));
    const id = await submitPractice();
    const submittedAt = Date.now();
    const row = page.locator(`tr[data-practice-id="${id}"]`);
    await row.waitFor({ timeout: 5_000 });
    expect(Date.now() - submittedAt).toBeLessThan(3_000);
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

  it('keeps an active clerk signed in across two access-token lifetimes, live after every renewal', async () => {
    const signInPrompt = page.getByRole('button', { name: 'Accedi' });
    const before = renewals.length;
    // Three renewals: the first two tokens have run out (and the gateway closed their connections).
    for (const round of [1, 2, 3]) {
      await expect
        .poll(
          async () => {
            await beActive();
            return renewals.length - before;
          },
          { timeout: ACCESS_TOKEN_TTL_SECONDS * 1_500, interval: 1_000 },
        )
        .toBeGreaterThanOrEqual(round);
      expect(renewals.at(-1)!.status).toBe(200);
      await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 10_000 });
      const id = await submitPractice();
      await page.locator(`tr[data-practice-id="${id}"]`).waitFor({ timeout: 5_000 });
      expect(await signInPrompt.count()).toBe(0);
    }
    expect(Date.now() - signedInAt).toBeGreaterThan(2 * ACCESS_TOKEN_TTL_SECONDS * 1_000);
    // The refresh token lives in this tab's session storage only.
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('sportello.dashboard.session') ?? '',
      local: JSON.stringify(localStorage),
    }));
    expect(stored.session).toContain('refreshToken');
    expect(stored.local).not.toContain('refreshToken');
  }, 300_000);

  it('signs an idle clerk out after the idle limit, and says so', async () => {
    const lastInput = Date.now();
    await page.getByText('Sei uscito per inattività').waitFor({ timeout: (IDLE_SECONDS + 30) * 1_000 });
    expect(Date.now() - lastInput).toBeGreaterThanOrEqual((IDLE_SECONDS - 1) * 1_000);
    expect(await page.locator('#connection').count()).toBe(0);
    await page.getByRole('button', { name: 'Accedi' }).waitFor();
    // Signed out at identity too: the refresh token is gone from the tab.
    expect(await page.evaluate(() => sessionStorage.getItem('sportello.dashboard.session'))).toBeNull();
  }, 120_000);

  it('shows at once that the session ended when identity refuses to renew it', async () => {
    await signInAsClerk();
    // Someone revokes the sign-in's refresh token at identity (its family ends with it).
    const refreshToken = await page.evaluate(
      () =>
        (JSON.parse(sessionStorage.getItem('sportello.dashboard.session')!) as { refreshToken: string })
          .refreshToken,
    );
    const revoked = await fetch(`${identity}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken, client_id: 'sportello-dashboard' }),
    });
    expect(revoked.status).toBe(200);
    const before = renewals.length;
    const ended = page.getByText('La sessione è terminata');
    await expect
      .poll(
        async () => {
          await beActive();
          return renewals.length - before;
        },
        { timeout: ACCESS_TOKEN_TTL_SECONDS * 1_500, interval: 500 },
      )
      .toBeGreaterThanOrEqual(1);
    const refusedAt = renewals.at(-1)!;
    expect(refusedAt.status).toBe(400);
    await ended.waitFor({ timeout: 2_000 });
    // Not at the next event: the live indicator is gone and the sign-in is offered.
    expect(Date.now() - refusedAt.at).toBeLessThan(2_000);
    expect(await page.locator('#connection').count()).toBe(0);
    await page.getByRole('button', { name: 'Accedi' }).waitFor();
  }, 120_000);

  it("ends a disabled clerk's session on the page within seconds", async () => {
    await signInAsClerk();
    const admin = (await devToken(identity, { subject: 'admin' })).access_token;
    const disabled = await graphql(
      api,
      `mutation { setStaffMemberEnabled(username: "${STAFF}", enabled: false) { username } }`,
      { token: admin },
    );
    expect(disabled.errors).toBeUndefined();
    const disabledAt = Date.now();
    // The gateway closes the live connection; renewing is refused: the page says so at once.
    await page.getByText('La sessione è terminata').waitFor({ timeout: 5_000 });
    expect(Date.now() - disabledAt).toBeLessThan(5_000);
    expect(await page.locator('#connection').count()).toBe(0);
    expect(renewals.at(-1)!.status).toBe(400);
  }, 60_000);
});
