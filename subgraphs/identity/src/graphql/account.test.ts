import type { EventEnvelope } from '@sportello/schema';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHIARA, CHILD, MARIO, startIdentity, type TestIdentity } from '../test-support/harness.js';

let service: TestIdentity;
let mario: string;
let notifier: string;
const events: EventEnvelope[] = [];

beforeAll(async () => {
  service = await startIdentity();
  await service.bus.listen('sportello.>', (event) => events.push(event));
  mario = await service.devToken({ subject: MARIO });
  const response = await service.post('/oauth/token', {
    grant_type: 'client_credentials',
    client_id: 'sportello-notifier',
    client_secret: 'notifier-secret-for-tests',
  });
  notifier = ((await response.json()) as { access_token: string }).access_token;
});
afterAll(() => service?.close());

/** What `read` gives once it gives something. */
function eventually<T>(read: () => T | undefined, timeout = 15_000): Promise<T> {
  return vi.waitFor(
    () => {
      const value = read();
      if (value === undefined) throw new Error('not yet');
      return value;
    },
    { timeout },
  );
}

const UPDATE = `mutation($changes: [PreferenceChangeInput!]!) {
  updateNotificationPreferences(changes: $changes) { notificationPreferences { category channel enabled locked } }
}`;

describe('notification preferences', () => {
  it('turns a channel off and announces the change', async () => {
    const answer = await service.graphql(UPDATE, {
      token: mario,
      variables: { changes: [{ category: 'PAYMENT_REMINDERS', channel: 'TELEGRAM', enabled: false }] },
    });
    const rows = (
      answer.data?.updateNotificationPreferences as { notificationPreferences: Record<string, unknown>[] }
    ).notificationPreferences;
    expect(rows).toContainEqual({
      category: 'PAYMENT_REMINDERS',
      channel: 'TELEGRAM',
      enabled: false,
      locked: false,
    });
    expect(rows).toContainEqual({
      category: 'CRITICAL_ALERTS',
      channel: 'TELEGRAM',
      enabled: true,
      locked: true,
    });
    const event = await eventually(() => events.find((e) => e.type === 'citizen.preferences-changed'));
    expect(event).toMatchObject({ subject: MARIO, data: { changed: ['payment-reminders.telegram'] } });
  });

  it('refuses to turn off critical alerts with BAD_USER_INPUT, keeping the rest unchanged', async () => {
    const answer = await service.graphql(UPDATE, {
      token: mario,
      variables: {
        changes: [
          { category: 'ORDINANCES', channel: 'EMAIL', enabled: false },
          { category: 'CRITICAL_ALERTS', channel: 'EMAIL', enabled: false },
        ],
      },
    });
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'changes.1.enabled',
    });
    expect(answer.errors?.[0]?.message).toMatch(/critical-alerts cannot be turned off/);
    const me = await service.graphql('{ me { notificationPreferences { category channel enabled } } }', {
      token: mario,
    });
    const rows = (me.data?.me as { notificationPreferences: Record<string, unknown>[] })
      .notificationPreferences;
    expect(rows).toContainEqual({ category: 'ORDINANCES', channel: 'EMAIL', enabled: true });
  });
});

describe('Telegram linking', () => {
  it('links a chat through a one-time deep link redeemed by the notifier, once', async () => {
    const link = await service.graphql('mutation { createTelegramLink { url expiresAt } }', { token: mario });
    const url = (link.data?.createTelegramLink as { url: string }).url;
    expect(url).toMatch(/^https:\/\/t\.me\/SportelloTestBot\?start=[A-Za-z0-9_-]{1,64}$/);
    const token = new URL(url).searchParams.get('start') ?? '';

    const byCitizen = await service.graphql(
      'mutation($t: String!) { linkTelegramChat(token: $t, chatId: "42") { telegramLinked } }',
      {
        token: mario,
        variables: { t: token },
      },
    );
    expect(byCitizen.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const linked = await service.graphql(
      'mutation($t: String!) { linkTelegramChat(token: $t, chatId: "42") { telegramLinked } }',
      {
        token: notifier,
        variables: { t: token },
      },
    );
    expect(linked.data?.linkTelegramChat).toEqual({ telegramLinked: true });
    await eventually(() => events.find((e) => e.type === 'citizen.telegram-linked'));

    const replay = await service.graphql(
      'mutation($t: String!) { linkTelegramChat(token: $t, chatId: "42") { telegramLinked } }',
      {
        token: notifier,
        variables: { t: token },
      },
    );
    expect(replay.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const blocked = await service.graphql('mutation { reportTelegramChatBlocked(chatId: "42") }', {
      token: notifier,
    });
    expect(blocked.data?.reportTelegramChatBlocked).toBe(true);
    const me = await service.graphql('{ me { telegramLinked } }', { token: mario });
    expect(me.data?.me).toEqual({ telegramLinked: false });
    const unlinked = await eventually(() => events.find((e) => e.type === 'citizen.telegram-unlinked'));
    expect(unlinked.data).toMatchObject({ reason: 'blocked' });
  });
});

describe('delegations', () => {
  it('stop working as soon as they are revoked, before the token expires', async () => {
    const before = await service.graphql(
      'query($fc: FiscalCode!) { citizen(fiscalCode: $fc) { givenName } }',
      {
        token: mario,
        variables: { fc: CHILD },
      },
    );
    expect(before.data?.citizen).toEqual({ givenName: 'Emanuele' });
    const me = await service.graphql('{ me { actsFor { id } } }', { token: mario });
    const id = (me.data?.me as { actsFor: { id: string }[] }).actsFor[0]?.id;
    const revoked = await service.graphql('mutation($id: ID!) { revokeDelegation(id: $id) { active } }', {
      token: mario,
      variables: { id },
    });
    expect(revoked.data?.revokeDelegation).toEqual({ active: false });
    const after = await service.graphql(
      'query($fc: FiscalCode!) { citizen(fiscalCode: $fc) { givenName } }',
      {
        token: mario,
        variables: { fc: CHILD },
      },
    );
    // The token that carried the delegation is ended at once, not only the delegation.
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
  });
});

describe('signing out everywhere', () => {
  it("ends the citizen's own tokens at once and announces it; a new sign-in works", async () => {
    const before = await service.devToken({ subject: CHIARA });
    const signedOut = await service.graphql('mutation { signOutEverywhere }', { token: before });
    expect(signedOut.data?.signOutEverywhere).toBe(true);
    const refused = await service.graphql('{ me { fiscalCode } }', { token: before });
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_REVOKED',
    });
    const announced = await eventually(() =>
      events.find((event) => event.type === 'access.revoked' && event.subject === CHIARA),
    );
    expect(announced.data).toMatchObject({ reason: 'signed-out', fiscalCode: CHIARA });
    // Listed for the verifiers that start after it or missed the event.
    const list = (await (await fetch(`${service.url}/internal/revocations`)).json()) as {
      revocations: Array<{ reason: string; fiscalCode?: string }>;
    };
    expect(list.revocations).toContainEqual(
      expect.objectContaining({ reason: 'signed-out', fiscalCode: CHIARA }),
    );
    // A token issued after the sign-out (the next second at the latest) is accepted again.
    await expect
      .poll(
        async () =>
          (
            await service.graphql('{ me { fiscalCode } }', {
              token: await service.devToken({ subject: CHIARA }),
            })
          ).status,
        {
          timeout: 5_000,
        },
      )
      .toBe(200);
  });

  it('is for citizens: an app or a service cannot sign someone out', async () => {
    const answer = await service.graphql('mutation { signOutEverywhere }', { token: notifier });
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});
