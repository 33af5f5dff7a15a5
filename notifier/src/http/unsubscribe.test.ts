import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createInProcessBus,
  createInternalAssertions,
  createLogger,
  type EventBus,
} from '@sportello/platform';
import { createEvent } from '@sportello/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier, type NotifierHandle } from '../notifier.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '@sportello/test-support';
import { COMUNE, fiscalCodes, startIdentity } from '../test-support/harness.js';
import { smtpPeerSettings, testConfig } from '../test-support/test-config.js';

const PUBLIC_URL = 'https://servizi.comune.example';
const SECRET = 'a-deployment-internal-secret-0123456789';
/** What the gateway adds when it forwards `/unsubscribe` from the public origin. */
const gateway = createInternalAssertions({ secret: SECRET, caller: 'gateway' });
const [applicant, other] = fiscalCodes(2, 7_000);

let identity: Awaited<ReturnType<typeof startIdentity>>;
let smtp: SmtpSink;
let bus: EventBus;
let notifier: NotifierHandle;
let dir: string;
let url: string;

/** The one-click link of a mail (`List-Unsubscribe: <url>`), or undefined. */
function unsubscribeLinkOf(mail: ReceivedMail): string | undefined {
  const line = mail.parsed.headerLines.find((header) => header.key === 'list-unsubscribe')?.line;
  return line === undefined ? undefined : /<([^>]+)>/.exec(line)?.[1];
}

/** What identity holds of the applicant's email preference for practice updates. */
async function practiceEmailsOn(): Promise<boolean> {
  const token = await identity.identity.tokens.issue({
    kind: 'citizen',
    comune: COMUNE,
    fiscalCode: applicant!,
    actsFor: [],
  });
  const response = await fetch(`${identity.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token.accessToken}` },
    body: JSON.stringify({ query: '{ me { notificationPreferences { category channel enabled } } }' }),
  });
  const body = (await response.json()) as {
    data: { me: { notificationPreferences: Array<{ category: string; channel: string; enabled: boolean }> } };
  };
  return body.data.me.notificationPreferences.find(
    (preference) => preference.category === 'PRACTICE_UPDATES' && preference.channel === 'EMAIL',
  )!.enabled;
}

const practiceEvent = (fiscalCode: string) =>
  createEvent('practice.status-changed', {
    comune: COMUNE,
    subject: 'practice-1',
    actor: { kind: 'staff', id: 'pratiche.verdi' },
    data: {
      practiceId: `p-${fiscalCode}`,
      typeCode: 'bulky-waste-collection',
      office: 'practices',
      applicantFiscalCode: fiscalCode,
      from: 'submitted',
      to: 'registered',
    },
  });

beforeAll(async () => {
  [identity, smtp] = await Promise.all([
    startIdentity([
      { fiscalCode: applicant!, email: 'applicant@example.org', emailVerified: true },
      { fiscalCode: other!, email: 'other@example.org', emailVerified: true },
    ]),
    startSmtpSink(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'notifier-unsubscribe-'));
  bus = createInProcessBus();
  notifier = await createNotifier(
    testConfig({
      database: { driver: 'sqlite', url: join(dir, 'notifier.db') },
      identityUrl: identity.url,
      publicUrl: PUBLIC_URL,
      internalSecret: SECRET,
      smtp: smtpPeerSettings(smtp),
      sandboxDir: join(dir, 'sandbox'),
    }),
    { bus, logger: createLogger({ name: 'unsubscribe-test', level: 'silent' }) },
  );
  url = await notifier.listen(0);
}, 60_000);

afterAll(async () => {
  await notifier?.close();
  await bus?.close();
  await Promise.all([identity?.close(), smtp?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('one-click unsubscribe (RFC 8058)', () => {
  it('gives each recipient a signed link of their own, on the public origin, that turns that email off', async () => {
    await bus.publish(practiceEvent(applicant!));
    await bus.publish(practiceEvent(other!));
    const mails = await smtp.waitForMails(2);
    const mine = mails.find((mail) => mail.envelope.to.includes('applicant@example.org'))!;
    const theirs = mails.find((mail) => mail.envelope.to.includes('other@example.org'))!;
    const link = unsubscribeLinkOf(mine)!;
    expect(link.startsWith(`${PUBLIC_URL}/unsubscribe?t=`)).toBe(true);
    expect(mine.parsed.headerLines.find((header) => header.key === 'list-unsubscribe-post')?.line).toMatch(
      /List-Unsubscribe=One-Click/,
    );
    expect(unsubscribeLinkOf(theirs)).not.toBe(link);
    // No personal data in the link: an opaque delivery id and a signature.
    expect(link).not.toContain(applicant!);

    // The gateway forwards the public path here; a GET (a mail scanner's prefetch) changes nothing.
    const local = link.replace(PUBLIC_URL, url);
    const page = await fetch(local, { headers: gateway.headers() });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/aggiornamenti sulle pratiche.*<form method="post"/s);
    expect(await practiceEmailsOn()).toBe(true);

    // The mail client's one-click button.
    const clicked = await fetch(local, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...gateway.headers() },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(clicked.status).toBe(200);
    expect(await clicked.text()).toMatch(/Fatto/);
    expect(await practiceEmailsOn()).toBe(false);
  });

  it('refuses a forged or altered link', async () => {
    const forged = await fetch(
      `${url}/unsubscribe?t=00000000-0000-7000-8000-000000000000.AAAAAAAAAAAAAAAAAAAAAAAA`,
      { method: 'POST', headers: gateway.headers(), body: 'List-Unsubscribe=One-Click' },
    );
    expect(forged.status).toBe(404);
  });
});
