import { describe, expect, it } from 'vitest';
import { announceExpiredAlerts } from './domain/alert-operations.js';
import { signedArea } from './domain/zone-geometry.js';
import { capSchemaErrors } from '@sportello/test-support';
import { plainTextPdf } from './seed/plain-text-pdf.js';
import { COMUNE, harnessForSuite, type Harness } from './test-support/harness.js';

/**
 * The alert lifecycle and the open data others reuse, over HTTP as a client and a feed reader see
 * them: zones imported as GeoJSON and served back, CAP areas with polygons, the events the notifier
 * reads, the Atom index keeping cancellations, filters, end notices, ordinance documents and their
 * feed.
 */

const PUBLIC = 'https://servizi.comune.example';
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

type Ring = Array<[number, number]>;

/** Rectangles around the harness's centre (45.07, 7.68), deliberately drawn clockwise. */
function box(west: number, south: number, east: number, north: number): Ring {
  return [
    [west, south],
    [west, north],
    [east, north],
    [east, south],
    [west, south],
  ];
}

const ZONES_GEOJSON = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { code: 'Z1', name: 'Centro storico', regionalAlertZone: 'Piem-L' },
      geometry: { type: 'Polygon', coordinates: [box(7.675, 45.065, 7.685, 45.075)] },
    },
    {
      type: 'Feature',
      properties: {
        code: 'Z2',
        name: 'Borgo Fiume',
        regionalAlertZone: 'Piem-L',
        description: 'Lungo il fiume',
      },
      geometry: {
        type: 'MultiPolygon',
        coordinates: [[box(7.66, 45.065, 7.675, 45.075)], [box(7.655, 45.05, 7.66, 45.055)]],
      },
    },
    {
      type: 'Feature',
      properties: { code: 'Z3', name: 'Collina', regionalAlertZone: 'Piem-I' },
      geometry: { type: 'Polygon', coordinates: [box(7.685, 45.055, 7.7, 45.075)] },
    },
  ],
};

const IMPORT = `mutation($fc: JSONObject!) { importAlertZones(featureCollection: $fc) { code name regionalAlertZone geometry } }`;
const ALERT_FIELDS = 'id colour status capUrl capPath pageUrl headline instructions announceExpiry';

function tag(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((match) => match[1]!);
}

/** A link on the public origin, fetched from the service directly (the gateway forwards the same path). */
function direct(h: Harness, url: string): string {
  expect(url.startsWith(`${PUBLIC}/feeds/`), url).toBe(true);
  return `${h.url}${url.slice(PUBLIC.length)}`;
}

describe.each(['sqlite', 'postgresql'] as const)('civil-protection open data (%s)', (driver) => {
  let h: Harness;
  let staff: string;
  harnessForSuite(driver, (started, bearer) => {
    h = started;
    staff = bearer;
  });

  async function issue(input: Record<string, unknown>) {
    const issued = await h.graphql<{ issueAlert: Record<string, string> }>(
      `mutation($input: IssueAlertInput!) { issueAlert(input: $input) { ${ALERT_FIELDS} } }`,
      {
        input: {
          hazard: 'HYDRAULIC',
          colour: 'RED',
          zoneCodes: ['Z2'],
          validFrom: inHours(-1),
          validUntil: inHours(12),
          headline: 'Piena del fiume: evacuazione dei piani terra',
          instructions: 'Salire ai piani alti, non usare gli scantinati.',
          ...input,
        },
      },
      staff,
    );
    expect(issued.errors).toBeUndefined();
    return issued.data!.issueAlert;
  }

  async function eventsOf(id: string, count: number) {
    await expect.poll(() => h.events.filter((e) => e.subject === id).length, { timeout: 10_000 }).toBe(count);
    return h.events.filter((e) => e.subject === id);
  }

  it('imports the zones as GeoJSON (staff only) and serves them as an RFC 7946 FeatureCollection', async () => {
    expect((await h.graphql(IMPORT, { fc: ZONES_GEOJSON })).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    const bad = await h.graphql(
      IMPORT,
      {
        fc: {
          type: 'FeatureCollection',
          features: [
            {
              ...ZONES_GEOJSON.features[0],
              geometry: { type: 'Polygon', coordinates: [box(7, 45, 8, 46).slice(0, 4)] },
            },
          ],
        },
      },
      staff,
    );
    expect(bad.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'featureCollection.features[0].geometry.coordinates[0]',
    });

    const imported = await h.graphql<{
      importAlertZones: Array<{ code: string; regionalAlertZone: string }>;
    }>(IMPORT, { fc: ZONES_GEOJSON }, staff);
    expect(imported.errors).toBeUndefined();
    expect(imported.data!.importAlertZones.map((z) => [z.code, z.regionalAlertZone])).toEqual([
      ['Z1', 'Piem-L'],
      ['Z2', 'Piem-L'],
      ['Z3', 'Piem-I'],
    ]);

    const feeds = await h.graphql<{ openDataFeeds: Array<{ url: string; mediaType: string }> }>(
      '{ openDataFeeds { url mediaType } }',
    );
    const zonesUrl = feeds.data!.openDataFeeds.find((f) => f.url.includes('alert-zones'))!.url;
    expect(zonesUrl).toBe(`${PUBLIC}/feeds/alert-zones.geojson?comune=${COMUNE}`);
    const response = await fetch(direct(h, zonesUrl));
    expect(response.headers.get('content-type')).toContain('application/geo+json');
    expect(response.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    const geojson = (await response.json()) as {
      type: string;
      bbox: number[];
      features: Array<{
        id: string;
        properties: { code: string; regionalAlertZone: string };
        geometry: { type: string; coordinates: unknown };
      }>;
    };
    expect(geojson.type).toBe('FeatureCollection');
    expect(geojson.bbox).toEqual([7.655, 45.05, 7.7, 45.075]);
    expect(geojson.features.map((f) => f.id)).toEqual(['Z1', 'Z2', 'Z3']);
    for (const feature of geojson.features) {
      const polygons = (
        feature.geometry.type === 'Polygon' ? [feature.geometry.coordinates] : feature.geometry.coordinates
      ) as Ring[][];
      for (const rings of polygons) {
        for (const [index, ring] of rings.entries()) {
          // Closed, at least four positions, [longitude, latitude], exterior counterclockwise.
          expect(ring.length).toBeGreaterThanOrEqual(4);
          expect(ring.at(-1)).toEqual(ring[0]);
          expect(ring.every(([lon, lat]) => lon > 7 && lon < 8 && lat > 45 && lat < 46)).toBe(true);
          expect(Math.sign(signedArea(ring)), `${feature.id} ring ${index}`).toBe(index === 0 ? 1 : -1);
        }
      }
    }
  });

  it('refuses zones at (0, 0), in Sydney or with swapped coordinates, importing none of the file', async () => {
    const zones = async () =>
      (await h.graphql<{ alertZones: Array<{ code: string; name: string }> }>('{ alertZones { code name } }'))
        .data!.alertZones;
    const before = await zones();
    const renamedZ1 = { ...ZONES_GEOJSON.features[0], properties: { code: 'Z1', name: 'Centro rinominato' } };
    const elsewhere = (code: string, ring: Ring) => ({
      type: 'Feature',
      properties: { code, name: `Zona ${code}` },
      geometry: { type: 'Polygon', coordinates: [ring] },
    });
    const cases = [
      { where: 'at (0, 0)', ring: box(-0.01, -0.01, 0.01, 0.01) },
      { where: 'in Sydney', ring: box(151.2, -33.88, 151.22, -33.86) },
      { where: 'latitude first', ring: box(45.065, 7.675, 45.075, 7.685) },
    ];
    for (const { where, ring } of cases) {
      const answer = await h.graphql(
        IMPORT,
        { fc: { type: 'FeatureCollection', features: [renamedZ1, elsewhere('Z9', ring)] } },
        staff,
      );
      expect(answer.errors?.[0]?.extensions, where).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'OUTSIDE_ITALY',
        field: 'featureCollection.features[1].geometry.coordinates[0]',
      });
      expect(answer.errors?.[0]?.message, where).toMatch(/is outside Italy/);
    }
    // Nothing of the refused files was written: Z1 keeps its name, there is no Z9.
    expect(await zones()).toEqual(before);
    expect(before.find((zone) => zone.code === 'Z1')?.name).toBe('Centro storico');
  });

  it('issues, downgrades and cancels an alert: each change an event the notifier can word, and a CAP message with polygons', async () => {
    const alert = await issue({ bulletinReference: 'Bollettino ARPA Piemonte n. 301/2026' });
    // The advertised CAP link is absolute on the public origin and is the path the service serves.
    expect(alert.capUrl).toBe(`${PUBLIC}/feeds/alert.cap.xml?id=${alert.id}&comune=${COMUNE}`);
    expect(`${PUBLIC}${alert.capPath}`).toBe(alert.capUrl);
    expect(alert.pageUrl).toBe(`${PUBLIC}/portale/protezione-civile/allerte/${alert.id}`);

    const issuedXml = await (await fetch(direct(h, alert.capUrl!))).text();
    expect(await capSchemaErrors(issuedXml)).toEqual([]);
    expect(tag(issuedXml, 'polygon')).toHaveLength(2);
    expect(tag(issuedXml, 'polygon')[0]!.split(' ')[0]).toBe('45.065,7.66');
    expect(tag(issuedXml, 'value')).toEqual(expect.arrayContaining([COMUNE, 'Z2', 'Piem-L']));
    expect(tag(issuedXml, 'web')).toEqual([alert.pageUrl]);

    const downgraded = await h.graphql(
      `mutation($id: ID!) { updateAlert(id: $id, input: { colour: ORANGE, zoneCodes: ["Z1", "Z2"] }) { colour } }`,
      { id: alert.id },
      staff,
    );
    expect(downgraded.errors).toBeUndefined();
    const updateXml = await (await fetch(direct(h, alert.capUrl!))).text();
    expect(await capSchemaErrors(updateXml)).toEqual([]);
    expect(tag(updateXml, 'msgType')).toEqual(['Update']);
    expect(tag(updateXml, 'polygon')).toHaveLength(3);

    const cancelled = await h.graphql(
      `mutation($id: ID!) { cancelAlert(id: $id, reason: "Il livello del fiume è in calo") { status } }`,
      { id: alert.id },
      staff,
    );
    expect(cancelled.errors).toBeUndefined();

    const [issued, updated, cancel] = await eventsOf(alert.id!, 3);
    expect(issued).toMatchObject({
      type: 'alert.issued',
      data: {
        colour: 'red',
        critical: true,
        zones: ['Z2'],
        zoneNames: ['Borgo Fiume'],
        wholeComune: false,
        headline: 'Piena del fiume: evacuazione dei piani terra',
        instructions: 'Salire ai piani alti, non usare gli scantinati.',
        sequence: 1,
      },
    });
    expect(updated).toMatchObject({
      type: 'alert.updated',
      data: {
        colour: 'orange',
        // Once red, every later message reaches everyone the red alert reached.
        critical: true,
        zones: ['Z1', 'Z2'],
        zoneNames: ['Centro storico', 'Borgo Fiume'],
        sequence: 2,
        previous: { colour: 'red', zones: ['Z2'] },
      },
    });
    expect(cancel).toMatchObject({
      type: 'alert.cancelled',
      data: {
        colour: 'orange',
        zones: ['Z1', 'Z2'],
        sequence: 3,
        cancelReason: 'Il livello del fiume è in calo',
      },
    });

    // The index keeps the Cancel until the alert would have ended, so every reader receives it.
    const atom = await (await fetch(`${h.url}/feeds/alerts.atom`)).text();
    const entry = atom.split('<entry>').find((e) => e.includes(alert.id!))!;
    expect(entry).toContain(`<id>urn:sportello:${COMUNE}:alert:${alert.id}.3</id>`);
    expect(entry).toContain('<title>Revocata: Piena del fiume: evacuazione dei piani terra</title>');
    const capLink = /type="application\/cap\+xml" href="([^"]+)"/.exec(entry)![1]!.replaceAll('&amp;', '&');
    expect(capLink).toBe(alert.capUrl);
    const cancelXml = await (await fetch(direct(h, capLink))).text();
    expect(await capSchemaErrors(cancelXml)).toEqual([]);
    expect(tag(cancelXml, 'msgType')).toEqual(['Cancel']);
    expect(tag(cancelXml, 'references')[0]!.split(' ')).toHaveLength(2);
  });

  it('filters alerts by colour, hazard and zone', async () => {
    const wind = await issue({ hazard: 'WIND', colour: 'YELLOW', zoneCodes: ['Z3'] });
    const flood = await issue({ hazard: 'HYDRAULIC', colour: 'RED', zoneCodes: ['Z1'] });
    const ids = async (args: string) =>
      (
        await h.graphql<{ activeAlerts: { nodes: Array<{ id: string }> } }>(
          `{ activeAlerts${args} { nodes { id } } }`,
        )
      ).data!.activeAlerts.nodes.map((a) => a.id);
    expect(await ids('(colours: [RED])')).toContain(flood.id);
    expect(await ids('(colours: [RED])')).not.toContain(wind.id);
    expect(await ids('(hazards: [WIND])')).toEqual([wind.id]);
    expect(await ids('(colours: [YELLOW, RED], zoneCode: "Z3")')).toEqual([wind.id]);
    const history = await h.graphql<{ alerts: { nodes: Array<{ id: string; status: string }> } }>(
      '{ alerts(hazards: [HYDRAULIC], first: 50) { nodes { id status } } }',
    );
    expect(history.data!.alerts.nodes.map((a) => a.status)).toContain('CANCELLED');
    expect(history.data!.alerts.nodes.map((a) => a.id)).not.toContain(wind.id);
  });

  it('announces the end of an alert when its issuer asked, once', async () => {
    const alert = await issue({
      colour: 'ORANGE',
      zoneCodes: ['Z3'],
      validUntil: new Date(Date.now() + 1_500).toISOString(),
      announceExpiry: true,
    });
    expect(alert.announceExpiry).toBe(true);
    const [, expired] = await eventsOf(alert.id!, 2);
    expect(expired).toMatchObject({
      type: 'alert.expired',
      actor: null,
      data: { colour: 'orange', critical: false, zones: ['Z3'], zoneNames: ['Collina'] },
    });
    expect(await announceExpiredAlerts(h.service.database, new Date())).toEqual({ announced: 0, skipped: 0 });
    const read = await h.graphql<{ alert: { status: string } }>(
      `query($id: ID!) { alert(id: $id) { status } }`,
      {
        id: alert.id,
      },
    );
    expect(read.data!.alert.status).toBe('EXPIRED');
  });

  it('publishes an ordinance with its PDF: fingerprinted, served on the public origin, an enclosure of the Atom feed', async () => {
    const draft = await h.graphql<{ createOrdinanceDraft: { id: string } }>(
      `mutation($input: OrdinanceDraftInput!) { createOrdinanceDraft(input: $input) { id } }`,
      {
        input: {
          subject: 'Chiusura delle scuole e del parco fluviale',
          legalBasis: 'TUEL_ART_54_C4',
          reasons: 'Allerta rossa per rischio idraulico',
          measures: ['Chiusura delle scuole di ogni ordine e grado', 'Chiusura del parco fluviale'],
          effectiveFrom: inHours(-1),
          effectiveUntil: inHours(48),
          scopeKind: 'ZONES',
          zoneCodes: ['Z2'],
          enforcingBody: 'Polizia Locale',
          protocolNumber: '2026/0004242',
          adoptedOn: new Date().toISOString().slice(0, 10),
        },
      },
      staff,
    );
    const ordinanceId = draft.data!.createOrdinanceDraft.id;
    const pdf = plainTextPdf(['Ordinanza di prova', 'Chiusura delle scuole']);
    const attach = `mutation($id: ID!, $input: OrdinanceDocumentInput!) { attachOrdinanceDocument(ordinanceId: $id, input: $input) { id sha256 bytes url } }`;
    const notPdf = await h.graphql(
      attach,
      {
        id: ordinanceId,
        input: { title: 'Testo', fileName: 'x.pdf', contentBase64: Buffer.from('hello').toString('base64') },
      },
      staff,
    );
    expect(notPdf.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.contentBase64',
    });
    const attached = await h.graphql<{
      attachOrdinanceDocument: { id: string; sha256: string; bytes: number; url: null };
    }>(
      attach,
      {
        id: ordinanceId,
        input: { title: 'Testo firmato', fileName: 'ordinanza.pdf', contentBase64: pdf.toString('base64') },
      },
      staff,
    );
    expect(attached.errors).toBeUndefined();
    const document = attached.data!.attachOrdinanceDocument;
    expect(document).toMatchObject({ bytes: pdf.length, url: null });
    // Not public while the ordinance is a draft.
    const hidden = await fetch(`${h.url}/feeds/ordinance-document.pdf?id=${document.id}`);
    expect(hidden.status).toBe(404);

    const published = await h.graphql<{
      publishOrdinance: { documents: Array<{ url: string; sha256: string }> };
    }>(
      `mutation($id: ID!) { publishOrdinance(id: $id) { documents { url sha256 } } }`,
      { id: ordinanceId },
      staff,
    );
    expect(published.errors).toBeUndefined();
    const url = published.data!.publishOrdinance.documents[0]!.url;
    expect(url).toBe(`${PUBLIC}/feeds/ordinance-document.pdf?id=${document.id}&comune=${COMUNE}`);
    const served = await fetch(direct(h, url));
    expect(served.headers.get('content-type')).toBe('application/pdf');
    expect(served.headers.get('cache-control')).toContain('immutable');
    expect(served.headers.get('content-disposition')).toContain('ordinanza.pdf');
    expect(Buffer.from(await served.arrayBuffer()).equals(pdf)).toBe(true);
    expect(
      (await fetch(direct(h, url), { headers: { 'if-none-match': served.headers.get('etag')! } })).status,
    ).toBe(304);
    const changed = await h.graphql(
      attach,
      {
        id: ordinanceId,
        input: { title: 'Altro', fileName: 'b.pdf', contentBase64: pdf.toString('base64') },
      },
      staff,
    );
    expect(changed.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    const [event] = await eventsOf(ordinanceId, 1);
    expect(event).toMatchObject({
      type: 'ordinance.published',
      data: {
        measures: ['Chiusura delle scuole di ogni ordine e grado', 'Chiusura del parco fluviale'],
        zoneNames: ['Borgo Fiume'],
        documentUrls: [url],
        adoptedOn: new Date().toISOString().slice(0, 10),
      },
    });

    const atomResponse = await fetch(`${h.url}/feeds/ordinances.atom`);
    expect(atomResponse.headers.get('content-type')).toContain('application/atom+xml');
    expect(atomResponse.headers.get('etag')).toBeTruthy();
    const atom = await atomResponse.text();
    expect(atom).toContain(
      `<link rel="self" type="application/atom+xml" href="${PUBLIC}/feeds/ordinances.atom?comune=${COMUNE}"/>`,
    );
    const entry = atom.split('<entry>').find((e) => e.includes(ordinanceId))!;
    expect(entry).toContain('Chiusura del parco fluviale');
    expect(entry).toContain(
      `<link rel="enclosure" type="application/pdf" length="${pdf.length}" title="Testo firmato (SHA-256 ${document.sha256})" href="${url.replace('&', '&amp;')}"/>`,
    );
    // The demo ordinance of the seed carries its signed text too.
    expect(atom.match(/rel="enclosure"/g)).toHaveLength(2);
  });
});
