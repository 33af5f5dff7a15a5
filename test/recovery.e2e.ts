import { generatePopulation, type DemoPerson } from '@sportello/hub';
import { startSmtpSink, type SmtpSink } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, graphql } from './support/graphql-client.js';
import { randomComune, startHub, type RunningHub } from './support/running-hub.js';

/**
 * "kill -9 of the notifier mid-alert": the distributed hub as a user starts it (PostgreSQL, NATS,
 * one process per service), a red alert for the whole comune, and the notifier's process killed with
 * SIGKILL while it sends. The launcher says so and starts it again; the alert is complete within
 * 30 s of the restart, every resident with an email address served under one Message-ID; the
 * gateway's /ready says the notifier is missing while it is, and the notifier's /metrics is back.
 */

const HOUSEHOLDS = 300;
const HEADLINE = 'Allerta rossa: chiusura delle scuole e dei parchi';
/** The bound the issue sets. */
const RECOVERY_BOUND_MS = 30_000;

describe('the notifier killed mid-alert in the distributed hub', () => {
  let hub: RunningHub;
  let sink: SmtpSink;
  let people: DemoPerson[];
  let zones: string[];

  beforeAll(async () => {
    const comune = randomComune();
    const population = generatePopulation({ households: HOUSEHOLDS, istat: comune });
    people = population.people;
    zones = population.comune.zones.map((zone) => zone.code);
    sink = await startSmtpSink();
    hub = await startHub('distributed', {
      households: HOUSEHOLDS,
      comune,
      env: { SMTP_HOST: sink.host, SMTP_PORT: String(sink.port), SMTP_RATE_PER_SECOND: '200' },
    });
  }, 330_000);

  afterAll(async () => {
    await hub?.stop();
    await sink?.close();
  }, 90_000);

  it('is restarted by the launcher and completes the alert within 30 s, once per address', async () => {
    const staff = (await devToken(hub.identity, { kind: 'staff', office: 'civil-protection' })).access_token;
    const recipients = new Set(people.flatMap((person) => (person.email ? [person.email] : [])));
    expect(recipients.size).toBeGreaterThan(100);
    const alertMails = () =>
      sink.mails.filter((mail) =>
        `${mail.parsed.subject ?? ''}\n${mail.parsed.text ?? ''}`.includes(HEADLINE),
      );
    const gatewayReady = async () => (await fetch(hub.api.replace(/\/graphql$/, '/ready'))).status;
    expect(await gatewayReady()).toBe(200);

    const now = Date.now();
    const issued = await graphql<{ issueAlert: { id: string } }>(
      hub.api,
      'mutation Issue($input: IssueAlertInput!) { issueAlert(input: $input) { id } }',
      {
        token: staff,
        variables: {
          input: {
            hazard: 'HYDRAULIC',
            colour: 'RED',
            zoneCodes: zones,
            validFrom: new Date(now).toISOString(),
            validUntil: new Date(now + 12 * 3_600_000).toISOString(),
            headline: HEADLINE,
            instructions: 'Restare in casa, lontano dai corsi d’acqua.',
          },
        },
      },
    );
    expect(issued.errors).toBeUndefined();

    // Mid-alert: the first mails are out, most are not.
    await expect
      .poll(() => alertMails().length, { timeout: 60_000, interval: 50 })
      .toBeGreaterThanOrEqual(20);
    const notifier = /notifier \(pid (\d+)\)/.exec(hub.process.output())!;
    process.kill(Number(notifier[1]), 'SIGKILL');

    // The launcher notices, says so, and starts it again.
    await expect
      .poll(() => /\[hub\] notifier exited \(signal SIGKILL\)/.test(hub.process.output()), {
        timeout: 10_000,
      })
      .toBe(true);
    await expect.poll(gatewayReady, { timeout: 10_000, interval: 100 }).toBe(503);
    await expect
      .poll(() => /\[hub\] notifier restarted \(pid \d+\)/.test(hub.process.output()), {
        timeout: 15_000,
        interval: 50,
      })
      .toBe(true);
    const restartedAt = Date.now();

    await expect
      .poll(() => new Set(alertMails().flatMap((mail) => mail.envelope.to)).size, {
        timeout: RECOVERY_BOUND_MS + 30_000,
        interval: 100,
      })
      .toBe(recipients.size);
    expect(Date.now() - restartedAt).toBeLessThan(RECOVERY_BOUND_MS);

    // Once per address: a mail interrupted by the kill went again under the same Message-ID.
    const idsByAddress = new Map<string, Set<string>>();
    for (const mail of alertMails()) {
      for (const to of mail.envelope.to) {
        idsByAddress.set(to, (idsByAddress.get(to) ?? new Set()).add(mail.parsed.messageId ?? ''));
      }
    }
    expect([...idsByAddress.keys()].sort()).toEqual([...recipients].sort());
    expect([...idsByAddress.values()].every((ids) => ids.size === 1)).toBe(true);
    await expect.poll(gatewayReady, { timeout: 15_000, interval: 200 }).toBe(200);
  }, 180_000);
});
