import { generatePopulation, type DemoPerson, type DemoPopulation } from '@sportello/hub';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, graphql } from './support/graphql-client.js';
import { randomComune, startHub, type RunningHub } from './support/running-hub.js';

const HOUSEHOLDS = 40;
/** The identity seed's language by position in the population (six in Italian, then en, de). */
const LANGUAGES = ['it', 'it', 'it', 'it', 'it', 'it', 'en', 'de'] as const;

/** Today in the comune's calendar (Rome). */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());

const mailText = (mail: ReceivedMail) => `${mail.parsed.subject ?? ''}\n${mail.parsed.text ?? ''}`;

const CHANGE =
  'id status declaredOn registeredOn registrationDueBy overdue replyDueOn replies { text documents { id } }';

describe.each(['embedded', 'distributed'] as const)('change of residence end to end (%s mode)', (mode) => {
  let hub: RunningHub;
  let sink: SmtpSink;
  let citizen: DemoPerson;
  /** An adult of the household, with an email and Italian, who moves too; and a minor who does. */
  let adultMover: DemoPerson;
  let minorMover: DemoPerson;
  let street: DemoPopulation['comune']['streets'][number];
  let citizenToken: string;
  let staffToken: string;

  beforeAll(async () => {
    const comune = mode === 'embedded' ? '999001' : randomComune();
    const population = generatePopulation({ households: HOUSEHOLDS, istat: comune });
    // An English-speaking household head with an email: the notices are checked in English.
    const index = population.people.findIndex(
      (p, i) =>
        p.relationship === 'head' && p.email !== undefined && LANGUAGES[i % LANGUAGES.length] === 'en',
    );
    expect(index).toBeGreaterThanOrEqual(0);
    citizen = population.people[index]!;
    const household = population.people
      .map((person, i) => ({ person, language: LANGUAGES[i % LANGUAGES.length] }))
      .filter(({ person }) => person.householdId === citizen.householdId && person !== citizen);
    adultMover = household.find(
      ({ person, language }) =>
        person.email !== undefined && language === 'it' && person.birthDate <= '2007-01-01',
    )!.person;
    minorMover = household.find(({ person }) => person.birthDate > '2010-01-01')!.person;
    street = population.comune.streets.find((s) => s.name !== citizen.address.street)!;
    sink = await startSmtpSink();
    hub = await startHub(mode, {
      households: HOUSEHOLDS,
      comune,
      env: { SMTP_HOST: sink.host, SMTP_PORT: String(sink.port) },
    });
    citizenToken = (await devToken(hub.identity, { subject: citizen.fiscalCode })).access_token;
    staffToken = (await devToken(hub.identity, { kind: 'staff', office: 'anagrafe' })).access_token;
  }, 330_000);

  afterAll(async () => {
    await hub?.stop();
    await sink?.close();
  }, 90_000);

  it('declare, notice of obstacles, the citizen replies, staff register: new address and date, with every notice', async () => {
    const declared = await graphql<{ declareResidenceChange: { id: string; registrationDueBy: string } }>(
      hub.api,
      `mutation ($input: ResidenceDeclarationInput!) { declareResidenceChange(input: $input) { ${CHANGE} } }`,
      {
        token: citizenToken,
        variables: {
          input: {
            address: { street: street.name, number: '7' },
            withMembers: [adultMover.fiscalCode, minorMover.fiscalCode],
          },
        },
      },
    );
    expect(declared.errors).toBeUndefined();
    const change = declared.data!.declareResidenceChange;
    expect(change).toMatchObject({ status: 'DECLARED', declaredOn: today(), overdue: false });
    expect(change.registrationDueBy > today()).toBe(true);

    // The office sees it among the open declarations, with its registration term.
    const open = await graphql<{
      openResidenceChanges: { totalCount: number; nodes: { id: string; registrationDueBy: string }[] };
    }>(hub.api, '{ openResidenceChanges(first: 100) { totalCount nodes { id registrationDueBy } } }', {
      token: staffToken,
    });
    expect(open.data?.openResidenceChanges.totalCount).toBeGreaterThan(0);
    expect(open.data?.openResidenceChanges.nodes).toContainEqual({
      id: change.id,
      registrationDueBy: change.registrationDueBy,
    });

    const staff = (mutation: string) =>
      graphql<Record<string, unknown>>(hub.api, `mutation { ${mutation} }`, {
        token: staffToken,
      });
    expect((await staff(`registerResidenceChange(id: "${change.id}") { status }`)).data).toEqual({
      registerResidenceChange: { status: 'REGISTERED' },
    });
    const noticed = await staff(
      `notifyResidenceChangeObstacles(id: "${change.id}", note: "The name is not on the doorbell.") { status replyDueOn }`,
    );
    expect(noticed.errors).toBeUndefined();

    // The citizen reads the obstacles by email and replies through the gateway.
    const mailsTo = (subject: RegExp) => () =>
      sink.mails.filter(
        (mail) => mail.envelope.to.includes(citizen.email!) && subject.test(mail.parsed.subject ?? ''),
      );
    const obstacleMails = mailsTo(/^Change of residence: notice of obstacles$/);
    await expect.poll(() => obstacleMails().length, { timeout: 60_000, interval: 250 }).toBe(1);
    expect(mailText(obstacleMails()[0]!)).toContain('The name is not on the doorbell.');
    // The adult moving with them is told too, in Italian, on their own address.
    const moverMails = (subject: RegExp) => () =>
      sink.mails.filter(
        (mail) => mail.envelope.to.includes(adultMover.email!) && subject.test(mail.parsed.subject ?? ''),
      );
    const moverObstacles = moverMails(/^Cambio di residenza: comunicazione dei motivi ostativi$/);
    await expect.poll(() => moverObstacles().length, { timeout: 60_000, interval: 250 }).toBe(1);
    expect(mailText(moverObstacles()[0]!)).toContain('The name is not on the doorbell.');

    // The reply carries a document, uploaded through the gateway's public origin like any attachment.
    const origin = new URL(hub.api).origin;
    const upload = (body: Buffer, filename: string) =>
      fetch(
        `${origin}/residence-change-documents?residenceChangeId=${change.id}&filename=${encodeURIComponent(filename)}`,
        { method: 'POST', headers: { authorization: `Bearer ${citizenToken}` }, body: new Uint8Array(body) },
      );
    const photo = Buffer.concat([
      Buffer.from('%PDF-1.4\n'),
      Buffer.from('The doorbell with my name on it.\n'),
      Buffer.from('%%EOF\n'),
    ]);
    const notADocument = await upload(Buffer.from('MZ\x90\x00 an executable'), 'doorbell.exe');
    expect(notADocument.status).toBe(415);
    const uploaded = await upload(photo, 'doorbell.pdf');
    expect(uploaded.status).toBe(201);
    const { document } = (await uploaded.json()) as { document: { id: string; sha256: string } };
    expect(document.sha256).toBe(Buffer.from(await crypto.subtle.digest('SHA-256', photo)).toString('hex'));

    const reply = await graphql<{
      replyToResidenceChangeObstacles: { status: string; replies: { text: string; documents: unknown[] }[] };
    }>(
      hub.api,
      `mutation ($id: ID!, $text: String!, $documentIds: [ID!]) {
        replyToResidenceChangeObstacles(id: $id, text: $text, documentIds: $documentIds) { ${CHANGE} }
      }`,
      {
        token: citizenToken,
        variables: { id: change.id, text: 'The doorbell now has my name on it.', documentIds: [document.id] },
      },
    );
    expect(reply.errors).toBeUndefined();
    expect(reply.data?.replyToResidenceChangeObstacles).toMatchObject({
      status: 'OBSTACLES_NOTIFIED',
      replies: [{ text: 'The doorbell now has my name on it.' }],
    });

    // The office reads the reply with its document and downloads it from the public origin.
    const read = await graphql<{
      residenceChange: { replies: { documents: { filename: string; sha256: string; url: string }[] }[] };
    }>(
      hub.api,
      `
        query ($id: ID!) {
          residenceChange(id: $id) {
            replies {
              documents {
                filename
                sha256
                url
              }
            }
          }
        }
      `,
      { token: staffToken, variables: { id: change.id } },
    );
    expect(read.errors).toBeUndefined();
    const sent = read.data!.residenceChange.replies[0]!.documents;
    expect(sent).toEqual([{ filename: 'doorbell.pdf', sha256: document.sha256, url: expect.any(String) }]);
    expect(new URL(sent[0]!.url).origin).toBe(origin);
    const download = await fetch(sent[0]!.url, { headers: { authorization: `Bearer ${staffToken}` } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(photo);
    const empty = await graphql(
      hub.api,
      `
        mutation ($id: ID!) {
          replyToResidenceChangeObstacles(id: $id, text: " ") {
            id
          }
        }
      `,
      { token: citizenToken, variables: { id: change.id } },
    );
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });

    // The office reads the reply and accepts the change.
    expect((await staff(`acceptResidenceChange(id: "${change.id}") { status }`)).data).toEqual({
      acceptResidenceChange: { status: 'ACCEPTED' },
    });

    const me = await graphql<{
      me: { residence: { residentSince: string; address: { street: string; number: string } } };
    }>(hub.api, '{ me { residence { residentSince address { street number } } } }', { token: citizenToken });
    expect(me.errors).toBeUndefined();
    expect(me.data?.me.residence).toEqual({
      residentSince: today(),
      address: { street: street.name, number: '7' },
    });

    const outcomeMails = mailsTo(/^Change of residence: accepted$/);
    await expect.poll(() => outcomeMails().length, { timeout: 60_000, interval: 250 }).toBe(1);
    expect(mailText(outcomeMails()[0]!)).toContain('your new residence is confirmed');
    await expect
      .poll(() => moverMails(/^Cambio di residenza: accolto$/)().length, { timeout: 60_000, interval: 250 })
      .toBe(1);
  });
});
