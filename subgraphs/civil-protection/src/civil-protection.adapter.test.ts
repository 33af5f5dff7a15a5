import { describe, expect, it } from 'vitest';
import { haversineMeters } from './domain/emergency-area.js';
import { capSchemaErrors } from '@sportello/test-support';
import {
  CENTRE,
  COMUNE,
  OTHER_COMUNE,
  ZONES,
  harnessForSuite,
  type Harness,
} from './test-support/harness.js';

const hours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

const ISSUE = /* GraphQL */ `
  mutation Issue($input: IssueAlertInput!) {
    issueAlert(input: $input) {
      id
      colour
      phase
      status
      critical
      wholeComune
      zoneCodes
      headline
      capPath
      zones {
        code
      }
    }
  }
`;

function issueInput(overrides: Record<string, unknown> = {}) {
  return {
    hazard: 'HYDRAULIC',
    colour: 'ORANGE',
    zoneCodes: ['Z2'],
    validFrom: hours(-1),
    validUntil: hours(24),
    instructions: 'Evitare i sottopassi e le zone vicine al fiume.',
    bulletinReference: 'Bollettino regionale n. 301/2025',
    ...overrides,
  };
}

function codeOf(response: { errors?: Array<{ extensions?: { code?: string } }> }) {
  return response.errors?.[0]?.extensions?.code;
}

describe.each(['sqlite', 'postgresql'] as const)('civil-protection subgraph over HTTP (%s)', (driver) => {
  let h: Harness;
  let staff: string;
  harnessForSuite(driver, (started, bearer) => {
    h = started;
    staff = bearer;
  });

  it('lets only civil-protection staff issue alerts', async () => {
    expect(codeOf(await h.graphql(ISSUE, { input: issueInput() }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.graphql(ISSUE, { input: issueInput() }, await h.citizenBearer()))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await h.graphql(ISSUE, { input: issueInput() }, await h.staffBearer(['anagrafe'])))).toBe(
      'FORBIDDEN',
    );
    const anonymousList = await h.graphql<{ activeAlerts: { nodes: unknown[] } }>(
      '{ activeAlerts { nodes { id } } }',
    );
    expect(anonymousList.data?.activeAlerts.nodes).toEqual([]);
  });

  it('issues an alert that anonymous clients read, with the zone set the notifier needs, and an outbox event', async () => {
    const issued = await h.graphql<{
      issueAlert: { id: string; phase: string; critical: boolean; zones: unknown[] };
    }>(ISSUE, { input: issueInput() }, staff);
    expect(issued.errors).toBeUndefined();
    const alert = issued.data!.issueAlert;
    expect(alert).toMatchObject({ phase: 'ATTENTION', critical: false, zones: [{ code: 'Z2' }] });

    const read = await h.graphql<{ activeAlerts: { nodes: Array<{ id: string; headline: string }> } }>(
      `{ activeAlerts(zoneCode: "Z2") { nodes { id headline } } }`,
    );
    expect(read.data?.activeAlerts.nodes).toEqual([
      { id: alert.id, headline: 'Allerta arancione per rischio idraulico' },
    ]);
    const elsewhere = await h.graphql<{ activeAlerts: { nodes: unknown[] } }>(
      `{ activeAlerts(zoneCode: "Z3") { nodes { id } } }`,
    );
    expect(elsewhere.data?.activeAlerts.nodes).toEqual([]);

    const audience = await h.graphql(
      `query($id: ID!) { alertAudienceZones(alertId: $id) { wholeComune zoneCodes } }`,
      {
        id: alert.id,
      },
    );
    expect(audience.data).toEqual({ alertAudienceZones: { wholeComune: false, zoneCodes: ['Z2'] } });

    await h.service.flushOutbox();
    const event = h.events.find((e) => e.subject === alert.id);
    expect(event).toMatchObject({
      type: 'alert.issued',
      comune: COMUNE,
      actor: { kind: 'staff' },
      data: { alertId: alert.id, colour: 'orange', hazard: 'hydraulic', zones: ['Z2'], critical: false },
    });
  });

  it('expands a whole-comune red alert to every zone and marks it critical', async () => {
    const issued = await h.graphql<{ issueAlert: { id: string; phase: string; critical: boolean } }>(
      ISSUE,
      { input: issueInput({ colour: 'RED', zoneCodes: null, wholeComune: true, hazard: 'WIND' }) },
      staff,
    );
    const alert = issued.data!.issueAlert;
    expect(alert).toMatchObject({ phase: 'PRE_ALARM', critical: true });
    const audience = await h.graphql(
      `query($id: ID!) { alertAudienceZones(alertId: $id) { wholeComune zoneCodes } }`,
      {
        id: alert.id,
      },
    );
    expect(audience.data).toEqual({
      alertAudienceZones: { wholeComune: true, zoneCodes: ZONES.map((z) => z.code) },
    });
    await h.service.flushOutbox();
    expect(h.events.find((e) => e.subject === alert.id)?.data).toMatchObject({
      zones: ['Z1', 'Z2', 'Z3'],
      critical: true,
    });
  });

  it('rejects bad alerts naming the field, and stores nothing', async () => {
    const before = await h.graphql<{ activeAlerts: { nodes: unknown[] } }>(
      '{ activeAlerts { nodes { id } } }',
    );
    const bad = await h.graphql(ISSUE, { input: issueInput({ zoneCodes: ['Z9'] }) }, staff);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.field).toBe('input.zoneCodes');
    expect(bad.errors?.[0]?.message).toContain('Z9');
    const lowPhase = await h.graphql(
      ISSUE,
      { input: issueInput({ colour: 'RED', phase: 'ATTENTION' }) },
      staff,
    );
    expect(lowPhase.errors?.[0]?.extensions?.field).toBe('input.phase');
    const after = await h.graphql<{ activeAlerts: { nodes: unknown[] } }>(
      '{ activeAlerts { nodes { id } } }',
    );
    expect(after.data?.activeAlerts.nodes).toHaveLength(before.data!.activeAlerts.nodes.length);
  });

  it('updates and cancels alerts, each change an event and a CAP message that validates', async () => {
    const { data } = await h.graphql<{ issueAlert: { id: string } }>(
      ISSUE,
      { input: issueInput({ zoneCodes: ['Z1'] }) },
      staff,
    );
    const id = data!.issueAlert.id;
    const updated = await h.graphql<{ updateAlert: { colour: string; phase: string; zoneCodes: string[] } }>(
      `mutation($id: ID!) { updateAlert(id: $id, input: { colour: RED, zoneCodes: ["Z1", "Z3"] }) { colour phase zoneCodes } }`,
      { id },
      staff,
    );
    expect(updated.data?.updateAlert).toEqual({ colour: 'RED', phase: 'PRE_ALARM', zoneCodes: ['Z1', 'Z3'] });

    const capAfterUpdate = await fetch(`${h.url}/feeds/alert.cap.xml?id=${id}`);
    expect(capAfterUpdate.headers.get('content-type')).toContain('application/cap+xml');
    const updateXml = await capAfterUpdate.text();
    expect(await capSchemaErrors(updateXml)).toEqual([]);
    expect(updateXml).toContain('<msgType>Update</msgType>');
    expect(updateXml).toContain('<severity>Extreme</severity>');
    expect(updateXml).toContain('<urgency>Immediate</urgency>');

    const forbidden = await h.graphql(`mutation($id: ID!) { cancelAlert(id: $id, reason: "x") { id } }`, {
      id,
    });
    expect(codeOf(forbidden)).toBe('UNAUTHENTICATED');
    const cancelled = await h.graphql<{ cancelAlert: { status: string } }>(
      `mutation($id: ID!) { cancelAlert(id: $id, reason: "Livelli del fiume in calo") { status } }`,
      { id },
      staff,
    );
    expect(cancelled.data?.cancelAlert.status).toBe('CANCELLED');
    const again = await h.graphql(
      `mutation($id: ID!) { cancelAlert(id: $id, reason: "ancora") { status } }`,
      { id },
      staff,
    );
    expect(codeOf(again)).toBe('CONFLICT');

    const cancelXml = await (await fetch(`${h.url}/feeds/alert.cap.xml?id=${id}`)).text();
    expect(await capSchemaErrors(cancelXml)).toEqual([]);
    expect(cancelXml).toContain('<msgType>Cancel</msgType>');
    expect(cancelXml.match(/<references>([^<]*)<\/references>/)?.[1]?.split(' ')).toHaveLength(2);

    await h.service.flushOutbox();
    expect(h.events.filter((e) => e.subject === id).map((e) => e.type)).toEqual([
      'alert.issued',
      'alert.updated',
      'alert.cancelled',
    ]);
    const active = await h.graphql<{ activeAlerts: { nodes: Array<{ id: string }> } }>(
      '{ activeAlerts { nodes { id } } }',
    );
    expect(active.data?.activeAlerts.nodes.map((a) => a.id)).not.toContain(id);
  });

  it('serves the active alerts as an Atom index whose CAP documents validate, and 404 for unknown ids', async () => {
    const index = await fetch(`${h.url}/feeds/alerts.atom`);
    expect(index.headers.get('content-type')).toContain('application/atom+xml');
    const atom = await index.text();
    const links = [...atom.matchAll(/type="application\/cap\+xml" href="([^"]+)"/g)].map((m) =>
      m[1]!.replaceAll('&amp;', '&'),
    );
    // The active alerts, and the cancelled one until it would have ended: its Cancel stays readable.
    const listed = await h.graphql<{
      alerts: { nodes: Array<{ id: string; status: string; validUntil: string }> };
    }>('{ alerts(first: 100) { nodes { id status validUntil } } }');
    const indexed = listed.data!.alerts.nodes.filter((a) => a.status !== 'EXPIRED');
    expect(links).toHaveLength(indexed.length);
    expect(indexed.some((a) => a.status === 'CANCELLED')).toBe(true);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      // Links are on the public origin; the gateway forwards them to this service.
      expect(link.startsWith('https://servizi.comune.example/feeds/')).toBe(true);
      const xml = await (await fetch(link.replace('https://servizi.comune.example', h.url))).text();
      expect(await capSchemaErrors(xml), link).toEqual([]);
    }
    const missing = await fetch(`${h.url}/feeds/alert.cap.xml?id=0196aaaa-0000-7000-8000-000000000000`);
    expect(missing.status).toBe(404);
  });

  it('finds the nearest waiting areas to a point, nearest first, and serves the plan as GeoJSON', async () => {
    const geojson = (await (await fetch(`${h.url}/feeds/emergency-areas.geojson`)).json()) as {
      type: string;
      features: Array<{
        id: string;
        geometry: { coordinates: [number, number] };
        properties: { kind: string };
      }>;
    };
    expect(geojson.type).toBe('FeatureCollection');
    const waiting = geojson.features.filter((f) => f.properties.kind === 'waiting');
    expect(waiting).toHaveLength(ZONES.length);
    const point = { latitude: CENTRE.latitude + 0.003, longitude: CENTRE.longitude + 0.001 };
    const expected = waiting
      .map((f) => ({
        id: f.id,
        d: haversineMeters(point, {
          latitude: f.geometry.coordinates[1],
          longitude: f.geometry.coordinates[0],
        }),
      }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 2);

    const nearest = await h.graphql<{
      nearestEmergencyAreas: Array<{ distanceMeters: number; area: { id: string; kind: string } }>;
    }>(
      `query($lat: Float!, $lon: Float!) { nearestEmergencyAreas(latitude: $lat, longitude: $lon, kind: WAITING, limit: 2) { distanceMeters area { id kind } } }`,
      { lat: point.latitude, lon: point.longitude },
    );
    expect(nearest.errors).toBeUndefined();
    expect(nearest.data!.nearestEmergencyAreas.map((n) => n.area.id)).toEqual(expected.map((e) => e.id));
    expect(nearest.data!.nearestEmergencyAreas[0]!.distanceMeters).toBe(Math.round(expected[0]!.d));

    const bad = await h.graphql(
      `{ nearestEmergencyAreas(latitude: 95, longitude: 7, limit: 0) { distanceMeters } }`,
    );
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/latitude.*limit/);

    const numbers = await h.graphql<{ emergencyNumbers: Array<{ number: string; national: boolean }> }>(
      '{ emergencyNumbers { number national } }',
    );
    expect(numbers.data!.emergencyNumbers.slice(0, 4).map((n) => n.number)).toEqual([
      '112',
      '113',
      '115',
      '118',
    ]);
    expect(numbers.data!.emergencyNumbers.some((n) => !n.national)).toBe(true);
  });

  it('keeps drafts for staff, publishes with the next number and refuses to edit a published ordinance', async () => {
    const draftInput = {
      subject: 'Chiusura delle scuole per allerta idraulica',
      legalBasis: 'TUEL_ART_54_C4',
      reasons: 'Allerta arancione per rischio idraulico sulla zona Borgo Fiume',
      measures: ['Chiusura delle scuole di ogni ordine e grado', 'Chiusura del parco fluviale'],
      effectiveFrom: hours(-2),
      effectiveUntil: hours(48),
      scopeKind: 'ZONES',
      zoneCodes: ['Z2'],
      enforcingBody: 'Polizia Locale',
    };
    const create = `mutation($input: OrdinanceDraftInput!) { createOrdinanceDraft(input: $input) { id status number } }`;
    expect(codeOf(await h.graphql(create, { input: draftInput }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.graphql(create, { input: draftInput }, await h.staffBearer(['admin'])))).toBe(
      'FORBIDDEN',
    );
    const created = await h.graphql<{ createOrdinanceDraft: { id: string; status: string; number: null } }>(
      create,
      { input: draftInput },
      staff,
    );
    expect(created.data?.createOrdinanceDraft).toMatchObject({ status: 'DRAFT', number: null });
    const id = created.data!.createOrdinanceDraft.id;

    const hidden = await h.graphql(`query($id: ID!) { ordinance(id: $id) { id } }`, { id });
    expect(codeOf(hidden)).toBe('NOT_FOUND');
    const publicList = await h.graphql<{ ordinances: { nodes: Array<{ id: string }> } }>(
      '{ ordinances { nodes { id } } }',
    );
    expect(publicList.data!.ordinances.nodes.map((o) => o.id)).not.toContain(id);
    expect(codeOf(await h.graphql('{ ordinances(includeDrafts: true) { totalCount } }'))).toBe(
      'UNAUTHENTICATED',
    );

    const publish = `mutation($id: ID!) { publishOrdinance(id: $id) { status number year reference publishedAt inForce } }`;
    const blocked = await h.graphql(publish, { id }, staff);
    expect(codeOf(blocked)).toBe('BAD_USER_INPUT');
    expect(blocked.errors?.[0]?.message).toContain('protocolNumber');

    const registered = await h.graphql(
      `mutation($id: ID!, $input: OrdinanceDraftInput!) { updateOrdinanceDraft(id: $id, input: $input) { protocolNumber } }`,
      {
        id,
        input: {
          ...draftInput,
          protocolNumber: '2025/0012345',
          adoptedOn: new Date().toISOString().slice(0, 10),
        },
      },
      staff,
    );
    expect(registered.errors).toBeUndefined();
    expect(codeOf(await h.graphql(publish, { id }, await h.citizenBearer()))).toBe('FORBIDDEN');
    const published = await h.graphql<{
      publishOrdinance: { number: number; year: number; reference: string; inForce: boolean };
    }>(publish, { id }, staff);
    const year = new Date().getUTCFullYear();
    // The seeded plan already holds ordinance 1 of the year.
    expect(published.data?.publishOrdinance).toMatchObject({
      number: 2,
      year,
      reference: `2/${year}`,
      inForce: true,
    });

    const read = await h.graphql<{
      ordinance: { subject: string; scope: { kind: string; zoneCodes: string[] }; appealClause: string };
    }>(`query($id: ID!) { ordinance(id: $id) { subject scope { kind zoneCodes } appealClause } }`, { id });
    expect(read.data?.ordinance).toMatchObject({ scope: { kind: 'ZONES', zoneCodes: ['Z2'] } });
    expect(read.data?.ordinance.appealClause).toContain('60 giorni');

    const edit = await h.graphql(
      `mutation($id: ID!, $input: OrdinanceDraftInput!) { updateOrdinanceDraft(id: $id, input: $input) { id } }`,
      { id, input: { ...draftInput, subject: 'Altro' } },
      staff,
    );
    expect(codeOf(edit)).toBe('CONFLICT');
    expect(edit.errors?.[0]?.message).toContain(`2/${year}`);
    const unchanged = await h.graphql<{ ordinance: { subject: string } }>(
      `query($id: ID!) { ordinance(id: $id) { subject } }`,
      { id },
    );
    expect(unchanged.data?.ordinance.subject).toBe(draftInput.subject);

    const correction = await h.graphql<{ createOrdinanceDraft: { id: string } }>(
      create,
      {
        input: {
          ...draftInput,
          correctsId: id,
          protocolNumber: '2025/0012399',
          adoptedOn: new Date().toISOString().slice(0, 10),
        },
      },
      staff,
    );
    await h.graphql(publish, { id: correction.data!.createOrdinanceDraft.id }, staff);
    const corrected = await h.graphql<{
      ordinance: { correctedBy: Array<{ number: number; corrects: { id: string } }> };
    }>(`query($id: ID!) { ordinance(id: $id) { correctedBy { number corrects { id } } } }`, { id });
    expect(corrected.data?.ordinance.correctedBy).toEqual([{ number: 3, corrects: { id } }]);

    await h.service.flushOutbox();
    expect(h.events.find((e) => e.type === 'ordinance.published' && e.subject === id)?.data).toMatchObject({
      number: 2,
      year,
      wholeComune: false,
      zones: ['Z2'],
    });
  });

  it('keeps each comune to its own data', async () => {
    const other = await h.graphql<{
      activeAlerts: { totalCount: number };
      ordinances: { totalCount: number };
      emergencyAreas: { totalCount: number };
    }>(
      '{ activeAlerts { totalCount } ordinances { totalCount } emergencyAreas { totalCount } }',
      {},
      undefined,
      OTHER_COMUNE,
    );
    expect(other.data).toEqual({
      activeAlerts: { totalCount: 0 },
      ordinances: { totalCount: 0 },
      emergencyAreas: { totalCount: 0 },
    });
    const otherStaff = await h.staffBearer(['civil-protection'], OTHER_COMUNE);
    const noZones = await h.graphql(ISSUE, { input: issueInput() }, otherStaff);
    expect(codeOf(noZones)).toBe('BAD_USER_INPUT');
  });
});
