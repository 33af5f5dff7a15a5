import { createHash } from 'node:crypto';
import {
  capSchemaErrors,
  scannedPdf,
  type FakeIo,
  type FakeTelegram,
  type ReceivedMail,
  type SmtpSink,
} from '@sportello/test-support';
import { generatePopulation, type DemoPerson } from '@sportello/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatIdOf, ioAllows, startChannelPeers, type ChannelPeers } from './support/channel-peers.js';
import { devToken, graphql } from './support/graphql-client.js';
import { randomComune, startHub, type RunningHub } from './support/running-hub.js';

/**
 * A civil-protection office and the reusers of its open data, against the whole hub started as a
 * user starts it: a red alert for the river zone is issued, lowered to orange and cancelled through
 * the gateway; every change reaches the residents at an SMTP server, a Bot API server and an App
 * IO server (the project's own peers) with the staff's headline and instructions, and one post on
 * the public channel that rings only while the alert is red; the CAP and Atom feeds, the zones'
 * GeoJSON and the ordinances' feed are read on the public origin through the gateway; a signed
 * ordinance of about 1 MB is uploaded on the public origin's upload route and served once published.
 */

const HOUSEHOLDS = 80;
const BOT_TOKEN = '7000000002:AAcivilProtectionE2eBotTokenSportello';
const IO_KEY = 'civil-protection-e2e-io-key';
const PUBLIC_CHANNEL = '@borgosereno_protezione_civile';
const ZONE = 'fiume';
const HEADLINE = 'Piena del torrente: evacuare i piani terra lungo il fiume';
const INSTRUCTIONS = 'Salire ai piani alti, non usare gli scantinati.';
const REASON = 'Il livello del torrente è tornato sotto la soglia di guardia';

const mailText = (mail: ReceivedMail) => `${mail.parsed.subject ?? ''}\n${mail.parsed.text ?? ''}`;

type Ring = Array<[number, number]>;

/** Twice the signed area of a ring: positive when counterclockwise. */
function signedArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++)
    sum += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return sum;
}

function tag(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((match) => match[1]!);
}

describe.each(['embedded', 'distributed'] as const)('civil protection end to end (%s mode)', (mode) => {
  let hub: RunningHub;
  let peers: ChannelPeers;
  let sink: SmtpSink;
  let telegram: FakeTelegram;
  let io: FakeIo;
  let people: DemoPerson[];
  let origin: string;
  let staff: string;

  beforeAll(async () => {
    const comune = mode === 'embedded' ? '999001' : randomComune();
    ({ people } = generatePopulation({ households: HOUSEHOLDS, istat: comune }));
    peers = await startChannelPeers(people, {
      botToken: BOT_TOKEN,
      ioKey: IO_KEY,
      webhookSecret: 'civil-protection-webhook-secret',
      publicChannel: PUBLIC_CHANNEL,
    });
    ({ sink, telegram, io } = peers);
    hub = await startHub(mode, { households: HOUSEHOLDS, comune, env: peers.env });
    // A demo hub's public origin is its gateway.
    origin = new URL(hub.api).origin;
    staff = (await devToken(hub.identity, { kind: 'staff', office: 'civil-protection' })).access_token;
  }, 330_000);

  afterAll(async () => {
    await hub?.stop();
    await peers?.close();
  }, 90_000);

  /** The residents of the river zone a message must reach, per channel. */
  function audience() {
    const residents = people
      .map((person, index) => ({ person, index }))
      .filter((r) => r.person.address.zone === ZONE);
    return {
      mails: residents.flatMap(({ person }) => (person.email ? [person.email] : [])).sort(),
      chats: residents
        .filter(({ person }) => person.telegram)
        .map(({ index }) => chatIdOf(index))
        .sort(),
      io: residents
        .filter(({ person, index }) => person.io && ioAllows(index))
        .map(({ person }) => person.fiscalCode)
        .sort(),
    };
  }

  /** Waits until every resident got the change `marker` identifies on every channel, and returns what arrived. */
  async function delivered(marker: RegExp) {
    const expected = audience();
    const found = () => ({
      mails: sink.mails.filter((mail) => marker.test(mailText(mail))),
      chats: telegram.sent.filter((m) => m.chatId !== PUBLIC_CHANNEL && marker.test(m.plainText)),
      io: io.messages.filter((m) => marker.test(JSON.stringify(m.body))),
      posts: telegram.sent.filter((m) => m.chatId === PUBLIC_CHANNEL && marker.test(m.plainText)),
    });
    await expect
      .poll(
        () => {
          const f = found();
          return [f.mails.length, f.chats.length, f.io.length, f.posts.length];
        },
        { timeout: 90_000, interval: 250 },
      )
      .toEqual([expected.mails.length, expected.chats.length, expected.io.length, 1]);
    const got = found();
    expect(got.mails.flatMap((m) => m.envelope.to).sort()).toEqual(expected.mails);
    expect(got.chats.map((m) => m.chatId).sort()).toEqual(expected.chats);
    expect(got.io.map((m) => m.fiscalCode).sort()).toEqual(expected.io);
    return got;
  }

  async function gatewayGet(url: string, headers: Record<string, string> = {}) {
    // Every link is absolute on the public origin: the gateway answers it.
    expect(url.startsWith(`${origin}/feeds/`), url).toBe(true);
    return fetch(url, { headers });
  }

  async function capOf(url: string) {
    const response = await gatewayGet(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/cap+xml');
    expect(response.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    const xml = await response.text();
    expect(await capSchemaErrors(xml)).toEqual([]);
    return xml;
  }

  it('issues, lowers and cancels a red alert: every change reaches every resident and the feeds, with headline and instructions', async () => {
    expect(audience().mails.length).toBeGreaterThan(2);
    expect(audience().chats.length).toBeGreaterThan(0);
    expect(audience().io.length).toBeGreaterThan(0);
    const now = Date.now();
    const issued = await graphql<{ issueAlert: { id: string; capUrl: string } }>(
      hub.api,
      'mutation Issue($input: IssueAlertInput!) { issueAlert(input: $input) { id capUrl } }',
      {
        token: staff,
        variables: {
          input: {
            hazard: 'HYDRAULIC',
            colour: 'RED',
            zoneCodes: [ZONE],
            validFrom: new Date(now).toISOString(),
            validUntil: new Date(now + 12 * 3_600_000).toISOString(),
            headline: HEADLINE,
            instructions: INSTRUCTIONS,
          },
        },
      },
    );
    expect(issued.errors).toBeUndefined();
    const { id, capUrl } = issued.data!.issueAlert;
    expect(capUrl).toBe(`${origin}/feeds/alert.cap.xml?id=${id}&comune=${hub.comune}`);

    // Issued: the headline and the instructions everywhere; the public post rings.
    const red = await delivered(new RegExp(HEADLINE));
    for (const mail of red.mails) {
      expect(mailText(mail)).toContain(INSTRUCTIONS);
      expect(mailText(mail)).toContain('Zona lungo fiume');
      expect(mailText(mail)).toContain(`/portale/protezione-civile/allerte/${id}`);
    }
    expect(red.chats.every((m) => m.plainText.includes(INSTRUCTIONS))).toBe(true);
    expect(red.io.every((m) => JSON.stringify(m.body).includes('Salire ai piani alti'))).toBe(true);
    expect(red.posts[0]!.disableNotification).toBe(false);
    const issuedCap = await capOf(capUrl);
    expect(tag(issuedCap, 'msgType')).toEqual(['Alert']);
    expect(tag(issuedCap, 'headline')).toEqual([HEADLINE]);
    expect(tag(issuedCap, 'instruction')).toEqual([INSTRUCTIONS]);
    expect(tag(issuedCap, 'polygon').length).toBeGreaterThan(0);
    expect(tag(issuedCap, 'value')).toEqual(expect.arrayContaining([hub.comune, ZONE, 'Piem-M']));

    // Lowered to orange: the same residents on the same lane hear what it replaces; silent post.
    const lowered = await graphql(
      hub.api,
      `
        mutation ($id: ID!) {
          updateAlert(id: $id, input: { colour: ORANGE }) {
            id
          }
        }
      `,
      {
        token: staff,
        variables: { id },
      },
    );
    expect(lowered.errors).toBeUndefined();
    const orange = await delivered(
      /sostituisce l'allerta rossa|replaces the red alert|ersetzt die rote Warnung/,
    );
    expect(
      orange.mails.every((m) => mailText(m).includes(HEADLINE) && mailText(m).includes(INSTRUCTIONS)),
    ).toBe(true);
    expect(orange.io.every((m) => JSON.stringify(m.body).includes('Salire ai piani alti'))).toBe(true);
    expect(orange.posts[0]!.disableNotification).toBe(true);
    const updateCap = await capOf(capUrl);
    expect(tag(updateCap, 'msgType')).toEqual(['Update']);
    expect(tag(updateCap, 'severity')).toEqual(['Severe']);
    expect(tag(updateCap, 'references')[0]!.split(' ')).toHaveLength(1);

    // Cancelled: an all-clear for everyone the red alert reached, and the public channel.
    const cancelled = await graphql(
      hub.api,
      `
        mutation ($id: ID!, $reason: String!) {
          cancelAlert(id: $id, reason: $reason) {
            status
          }
        }
      `,
      {
        token: staff,
        variables: { id, reason: REASON },
      },
    );
    expect(cancelled.errors).toBeUndefined();
    const clear = await delivered(new RegExp(REASON));
    expect(
      clear.mails.every((m) => /Cessata allerta|All clear|Entwarnung/.test(m.parsed.subject ?? '')),
    ).toBe(true);

    // The Atom index, on the public origin, keeps the Cancel for feed readers; its CAP validates.
    const index = await gatewayGet(`${origin}/feeds/alerts.atom?comune=${hub.comune}`);
    expect(index.headers.get('content-type')).toContain('application/atom+xml');
    const etag = index.headers.get('etag')!;
    expect(index.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    const atom = await index.text();
    expect(atom).toContain(
      `<link rel="self" type="application/atom+xml" href="${origin}/feeds/alerts.atom?comune=${hub.comune}"/>`,
    );
    const entry = atom.split('<entry>').find((e) => e.includes(id))!;
    expect(entry).toContain(`<title>Revocata: ${HEADLINE}</title>`);
    const link = /type="application\/cap\+xml" href="([^"]+)"/.exec(entry)![1]!.replaceAll('&amp;', '&');
    const cancelCap = await capOf(link);
    expect(tag(cancelCap, 'msgType')).toEqual(['Cancel']);
    expect(tag(cancelCap, 'responseType')).toEqual(['AllClear']);
    expect(tag(cancelCap, 'references')[0]!.split(' ')).toHaveLength(2);
    const again = await gatewayGet(`${origin}/feeds/alerts.atom?comune=${hub.comune}`, {
      'if-none-match': etag,
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('serves the zones as GeoJSON (closed rings, right-hand rule) and the ordinances with their PDFs on the public origin', async () => {
    const feeds = await graphql<{ openDataFeeds: Array<{ url: string; mediaType: string }> }>(
      hub.api,
      '{ openDataFeeds { url mediaType } }',
      { headers: { 'x-comune': hub.comune } },
    );
    expect(feeds.errors).toBeUndefined();
    const byType = (needle: string) =>
      feeds.data!.openDataFeeds.find((feed) => feed.url.includes(needle))!.url;

    const zones = await gatewayGet(byType('alert-zones'));
    expect(zones.headers.get('content-type')).toContain('application/geo+json');
    expect(zones.headers.get('etag')).toBeTruthy();
    const geojson = (await zones.json()) as {
      type: string;
      features: Array<{
        id: string;
        properties: { regionalAlertZone: string };
        geometry: { type: string; coordinates: Ring[] };
      }>;
    };
    expect(geojson.type).toBe('FeatureCollection');
    expect(geojson.features.map((f) => f.id).sort()).toEqual(['centro', 'collina', 'fiume', 'frazione-nord']);
    for (const feature of geojson.features) {
      expect(feature.properties.regionalAlertZone).toMatch(/^Piem-[A-M]$/);
      expect(feature.geometry.type).toBe('Polygon');
      const [exterior, ...holes] = feature.geometry.coordinates;
      expect(exterior!.length).toBeGreaterThanOrEqual(4);
      expect(exterior!.at(-1)).toEqual(exterior![0]);
      // [longitude, latitude] around Borgo Sereno, exterior counterclockwise, holes clockwise.
      expect(exterior!.every(([lon, lat]) => lon > 7.8 && lon < 7.9 && lat > 44.6 && lat < 44.8)).toBe(true);
      expect(signedArea(exterior!)).toBeGreaterThan(0);
      for (const hole of holes) expect(signedArea(hole)).toBeLessThan(0);
    }

    const ordinances = await gatewayGet(byType('ordinances.atom'));
    expect(ordinances.headers.get('content-type')).toContain('application/atom+xml');
    const atom = await ordinances.text();
    const enclosure =
      /<link rel="enclosure" type="application\/pdf" length="(\d+)" title="[^"]*\(SHA-256 ([0-9a-f]{64})\)" href="([^"]+)"\/>/.exec(
        atom,
      );
    expect(enclosure, atom).not.toBeNull();
    const [, length, sha256, href] = enclosure!;
    const pdf = await gatewayGet(href!.replaceAll('&amp;', '&'));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('cache-control')).toContain('immutable');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.length).toBe(Number(length));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('takes a signed ordinance of 1 MB on the public origin, as it is, and serves it on its document URL once published', async () => {
    const draft = await graphql<{ createOrdinanceDraft: { id: string } }>(
      hub.api,
      'mutation ($input: OrdinanceDraftInput!) { createOrdinanceDraft(input: $input) { id } }',
      {
        token: staff,
        variables: {
          input: {
            subject: 'Sgombero dei piani terra lungo il torrente',
            legalBasis: 'TUEL_ART_54_C4',
            reasons: 'Piena del torrente oltre la soglia di pericolo',
            measures: ['Sgombero dei piani terra e degli scantinati lungo il fiume'],
            effectiveFrom: new Date().toISOString(),
            effectiveUntil: new Date(Date.now() + 48 * 3_600_000).toISOString(),
            scopeKind: 'ZONES',
            zoneCodes: [ZONE],
            enforcingBody: 'Polizia Locale',
            protocolNumber: `2026/${String(Date.now()).slice(-7)}`,
            adoptedOn: new Date().toISOString().slice(0, 10),
          },
        },
      },
    );
    expect(draft.errors).toBeUndefined();
    const ordinanceId = draft.data!.createOrdinanceDraft.id;

    // Some fifteen times what fits base64 in a GraphQL body: sent as it is to the upload route.
    const pdf = scannedPdf(1024 * 1024);
    const query = new URLSearchParams({
      ordinanceId,
      title: 'Testo dell’ordinanza firmato digitalmente',
      fileName: 'ordinanza-sgombero.pdf',
    });
    const uploaded = await fetch(`${origin}/ordinance-documents?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${staff}`, 'content-type': 'application/pdf' },
      body: pdf,
    });
    const answer = (await uploaded.json()) as {
      document: { id: string; bytes: number; sha256: string; url: string | null };
    };
    expect(uploaded.status, JSON.stringify(answer)).toBe(201);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    expect(answer.document).toMatchObject({ bytes: pdf.length, sha256, url: null });

    const published = await graphql<{
      publishOrdinance: { documents: Array<{ id: string; url: string; sha256: string }> };
    }>(hub.api, 'mutation ($id: ID!) { publishOrdinance(id: $id) { documents { id url sha256 } } }', {
      token: staff,
      variables: { id: ordinanceId },
    });
    expect(published.errors).toBeUndefined();
    const [document] = published.data!.publishOrdinance.documents;
    expect(document).toMatchObject({ id: answer.document.id, sha256 });
    const served = await gatewayGet(document!.url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.length).toBe(pdf.length);
    expect(bytes.equals(pdf)).toBe(true);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);

    // And the Atom feed carries it as an enclosure once its window turns.
    const href = document!.url.replaceAll('&', '&amp;');
    await expect
      .poll(
        async () =>
          (await (await gatewayGet(`${origin}/feeds/ordinances.atom?comune=${hub.comune}`)).text()).includes(
            href,
          ),
        {
          timeout: 30_000,
          interval: 500,
        },
      )
      .toBe(true);
  });
});
