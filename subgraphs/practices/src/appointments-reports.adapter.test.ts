/* eslint-disable @typescript-eslint/no-explicit-any -- answers are read loosely; the assertions check their shape */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setComuneTerritory } from './domain/report-operations.js';
import { createTerritoryCache } from './domain/territory-cache.js';
import {
  CHIARA,
  COMUNE,
  MARIO,
  startHarness,
  type GraphQLAnswer,
  type Harness,
} from './test-support/harness.js';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(512, 7),
]);
const BOOK = `mutation($c: ID!, $s: DateTimeISO!) { bookAppointment(calendarId: $c, startsAt: $s) { id startsAt status } }`;

const errorOf = (answer: GraphQLAnswer) => answer.errors?.[0];

describe.each(['sqlite', 'postgresql'] as const)('appointments and reports over HTTP (%s)', (driver) => {
  let h: Harness;
  let mario: string;
  let calendarId: string;
  let slots: Array<{ startsAt: string; available: boolean }>;

  beforeAll(async () => {
    h = await startHarness(driver);
    mario = await h.citizen();
    const calendars = await h.graphql<any>(
      `{ officeCalendars(office: "anagrafe") { id slotMinutes openingHours { weekday opens closes } } }`,
    );
    calendarId = calendars.data.officeCalendars[0].id;
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const free = await h.graphql<any>(
      `query($c: ID!, $f: String) { availableSlots(calendarId: $c, from: $f, days: 14) { startsAt endsAt available } }`,
      {
        c: calendarId,
        f: tomorrow,
      },
    );
    expect(free.errors).toBeUndefined();
    slots = free.data.availableSlots;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('generates slots from opening hours and books one slot once under 20 concurrent requests', async () => {
    expect(slots.length).toBeGreaterThan(50);
    expect(slots.every((s) => s.available)).toBe(true);
    const target = slots[3]!.startsAt;
    const chiara = await h.citizen(CHIARA);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.graphql<any>(BOOK, { c: calendarId, s: target }, i % 2 === 0 ? mario : chiara),
      ),
    );
    const booked = answers.filter((a) => a.errors === undefined);
    expect(booked).toHaveLength(1);
    for (const refused of answers.filter((a) => a.errors !== undefined)) {
      expect(errorOf(refused)?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'SLOT_TAKEN' });
    }
    const after = await h.graphql<any>(
      `query($c: ID!, $f: String) { availableSlots(calendarId: $c, from: $f, days: 14) { startsAt available } }`,
      {
        c: calendarId,
        f: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
      },
    );
    expect(
      after.data.availableSlots
        .filter((s: { available: boolean }) => !s.available)
        .map((s: { startsAt: string }) => s.startsAt),
    ).toEqual([target]);

    const offGrid = new Date(Date.parse(target) + 60_000).toISOString();
    expect(errorOf(await h.graphql(BOOK, { c: calendarId, s: offGrid }, mario))?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'startsAt',
    });
  });

  it('moves and cancels a booking, freeing the slots, and reminds the day before exactly once', async () => {
    const booked = await h.graphql<any>(BOOK, { c: calendarId, s: slots[10]!.startsAt }, mario);
    const id = booked.data.bookAppointment.id;
    const moved = await h.graphql<any>(
      `mutation($id: ID!, $s: DateTimeISO!) { moveAppointment(id: $id, startsAt: $s) { startsAt } }`,
      {
        id,
        s: slots[11]!.startsAt,
      },
      mario,
    );
    expect(moved.data.moveAppointment.startsAt).toBe(slots[11]!.startsAt);
    // The old slot is free again.
    const again = await h.graphql<any>(
      BOOK,
      { c: calendarId, s: slots[10]!.startsAt },
      await h.citizen(CHIARA),
    );
    expect(again.errors).toBeUndefined();
    const notYours = await h.graphql(
      `mutation($id: ID!) { cancelAppointment(id: $id) { id } }`,
      { id },
      await h.citizen(CHIARA),
    );
    expect(errorOf(notYours)?.extensions?.code).toBe('NOT_FOUND');

    const startsAt = new Date(slots[11]!.startsAt);
    const dayBefore = new Date(startsAt.getTime() - 20 * 3_600_000);
    expect(await h.service.runReminders(dayBefore)).toBeGreaterThanOrEqual(1);
    expect(await h.service.runReminders(dayBefore)).toBe(0);
    const events = await h.drainEvents();
    const reminders = events.filter((e) => e.type === 'appointment.reminder' && e.subject === id);
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.data).toMatchObject({
      appointmentId: id,
      office: 'anagrafe',
      citizenFiscalCode: MARIO,
      offsetHours: 20,
    });

    const cancelled = await h.graphql<any>(
      `mutation($id: ID!) { cancelAppointment(id: $id, reason: "Impegno di lavoro") { status } }`,
      { id },
      mario,
    );
    expect(cancelled.data.cancelAppointment.status).toBe('CANCELLED');
    const twice = await h.graphql(
      `mutation($id: ID!) { cancelAppointment(id: $id) { status } }`,
      { id },
      mario,
    );
    expect(errorOf(twice)?.extensions?.code).toBe('CONFLICT');
    const types = (await h.drainEvents()).filter((e) => e.subject === id).map((e) => e.type);
    expect(types).toEqual([
      'appointment.booked',
      'appointment.changed',
      'appointment.reminder',
      'appointment.cancelled',
    ]);
  });

  it('files a report with a photo, refuses a bad position, and tells the reporter of each status change', async () => {
    const file = `mutation($input: FileReportInput!) { fileReport(input: $input) { id status identified } }`;
    const input = {
      category: 'road-damage',
      description: 'Buca profonda davanti al civico 12.',
      latitude: 45.07,
      longitude: 7.68,
    };
    const bad = await h.graphql(file, { input: { ...input, latitude: 91 } }, mario);
    expect(errorOf(bad)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'latitude' });
    const filed = await h.graphql<any>(file, { input }, mario);
    const id = filed.data.fileReport.id;
    expect(filed.data.fileReport).toMatchObject({ status: 'RECEIVED', identified: true });

    const post = (body: Buffer, type: string) =>
      fetch(`${h.url}/attachments?reportId=${id}&filename=buca.png`, {
        method: 'POST',
        headers: { authorization: mario, 'content-type': type },
        body,
      });
    expect((await post(Buffer.from('%PDF-1.4 not a photo'), 'application/pdf')).status).toBe(415);
    const photo = await post(PNG, 'image/png');
    expect(photo.status).toBe(201);
    const { attachment } = (await photo.json()) as { attachment: { downloadPath: string; sha256: string } };
    const download = await fetch(`${h.url}${attachment.downloadPath}`, { headers: { authorization: mario } });
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true);
    expect(
      (
        await fetch(`${h.url}${attachment.downloadPath}`, {
          headers: { authorization: await h.citizen(CHIARA) },
        })
      ).status,
    ).toBe(404);

    const staff = await h.staff(['practices']);
    const update = `mutation($id: ID!, $s: ReportStatus!, $n: String) { updateReportStatus(id: $id, status: $s, note: $n) { status } }`;
    expect(
      errorOf(await h.graphql(update, { id, s: 'TAKEN_IN_CHARGE' }, await h.staff(['tributi'])))?.extensions
        ?.code,
    ).toBe('FORBIDDEN');
    expect(
      (await h.graphql<any>(update, { id, s: 'TAKEN_IN_CHARGE' }, staff)).data.updateReportStatus.status,
    ).toBe('TAKEN_IN_CHARGE');
    const illegal = await h.graphql(update, { id, s: 'RECEIVED' }, staff);
    expect(errorOf(illegal)?.extensions).toMatchObject({ code: 'CONFLICT', status: 'taken-in-charge' });
    await h.graphql(update, { id, s: 'RESOLVED', n: 'Buca chiusa con asfalto a freddo.' }, staff);

    const seen = await h.graphql<any>(
      `query($id: ID!) { report(id: $id) { status history { from to note } photos { mimeType } } }`,
      { id },
      mario,
    );
    expect(seen.data.report).toEqual({
      status: 'RESOLVED',
      history: [
        { from: null, to: 'RECEIVED', note: null },
        { from: 'RECEIVED', to: 'TAKEN_IN_CHARGE', note: null },
        { from: 'TAKEN_IN_CHARGE', to: 'RESOLVED', note: 'Buca chiusa con asfalto a freddo.' },
      ],
      photos: [{ mimeType: 'image/png' }],
    });
    const events = (await h.drainEvents()).filter(
      (e) => e.type === 'report.status-changed' && e.subject === id,
    );
    expect(events.map((e) => (e.data as { to: string }).to)).toEqual([
      'received',
      'taken-in-charge',
      'resolved',
    ]);
    expect(events[2]!.data).toMatchObject({
      reporterFiscalCode: MARIO,
      note: 'Buca chiusa con asfalto a freddo.',
    });
  });

  it('refuses an impossible day for slots instead of rolling it over (31 February is not 3 March)', async () => {
    const query = `query($c: ID!, $f: String) { availableSlots(calendarId: $c, from: $f, days: 3) { startsAt } }`;
    for (const day of ['2026-02-31', '2026-02-29', '2026-04-31', '2026-13-01', '2026-3-1']) {
      const answer = await h.graphql(query, { c: calendarId, f: day });
      expect(answer.data ?? null).toBeNull();
      expect(errorOf(answer)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    }
    // A real 29 February is a day like any other.
    const leap = await h.graphql<any>(query, { c: calendarId, f: '2028-02-29' });
    expect(leap.errors).toBeUndefined();
  });

  it('cancels with a reason of up to 1000 characters and refuses a longer one instead of cutting it', async () => {
    const booked = await h.graphql<any>(BOOK, { c: calendarId, s: slots[20]!.startsAt }, mario);
    const id = booked.data.bookAppointment.id;
    const cancel = `mutation($id: ID!, $r: String) { cancelAppointment(id: $id, reason: $r) { status cancelReason } }`;
    const long = await h.graphql(cancel, { id, r: 'parola '.repeat(150) }, mario);
    expect(errorOf(long)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(errorOf(long)?.message).toMatch(/1049 characters, 1000 at most/);
    const mine = await h.graphql<any>(`{ myAppointments { nodes { id status } } }`, {}, mario);
    expect(mine.data.myAppointments.nodes).toContainEqual({ id, status: 'BOOKED' });

    const reason = 'x'.repeat(1000);
    const cancelled = await h.graphql<any>(cancel, { id, r: reason }, mario);
    expect(cancelled.data.cancelAppointment).toEqual({ status: 'CANCELLED', cancelReason: reason });
    const events = (await h.drainEvents()).filter(
      (e) => e.type === 'appointment.cancelled' && e.subject === id,
    );
    expect(events.map((e) => (e.data as { reason?: string }).reason)).toEqual([reason]);
  });

  it('refuses a report at (0, 0) or in Sydney: a position outside Italy is not one the comune can act on', async () => {
    const file = `mutation($input: FileReportInput!) { fileReport(input: $input) { id } }`;
    const mine = async () =>
      (await h.graphql<any>(`{ myReports { totalCount } }`, {}, mario)).data.myReports.totalCount;
    const before = await mine();
    const input = { category: 'waste', description: 'Rifiuti abbandonati sul marciapiede.' };
    const nowhere = await h.graphql(file, { input: { ...input, latitude: 0, longitude: 0 } }, mario);
    expect(errorOf(nowhere)?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'latitude',
      violations: [
        { field: 'latitude', message: expect.stringMatching(/must be in Italy/) as unknown },
        { field: 'longitude', message: expect.stringMatching(/must be in Italy/) as unknown },
      ],
    });
    const sydney = await h.graphql(
      file,
      { input: { ...input, latitude: -33.8688, longitude: 151.2093 } },
      mario,
    );
    expect(errorOf(sydney)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'latitude' });
    // Swapped coordinates (longitude first) land in the Horn of Africa: refused too.
    const swapped = await h.graphql(file, { input: { ...input, latitude: 7.68, longitude: 45.07 } }, mario);
    expect(errorOf(swapped)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'latitude' });
    expect(await mine()).toBe(before);
    // Lampedusa is in Italy.
    const south = await h.graphql(file, { input: { ...input, latitude: 35.5, longitude: 12.6 } }, mario);
    expect(errorOf(south)).toBeUndefined();
  });

  it("refuses a report outside the comune's territory once it is set, naming the argument", async () => {
    const file = `mutation($input: FileReportInput!) { fileReport(input: $input) { id } }`;
    const input = { category: 'waste', description: 'Rifiuti abbandonati sul marciapiede.' };
    // The town around (45.07 N, 7.68 E), with a park that belongs to the next comune.
    await setComuneTerritory(
      h.service.database.fork({ comune: COMUNE }),
      COMUNE,
      'Borgo Demo',
      {
        type: 'Polygon',
        coordinates: [
          [
            [7.66, 45.05],
            [7.7, 45.05],
            [7.7, 45.09],
            [7.66, 45.09],
            [7.66, 45.05],
          ],
          [
            [7.675, 45.075],
            [7.685, 45.075],
            [7.685, 45.085],
            [7.675, 45.085],
            [7.675, 45.075],
          ],
        ],
      },
      new Date(),
    );
    const inside = await h.graphql(file, { input: { ...input, latitude: 45.06, longitude: 7.67 } }, mario);
    expect(errorOf(inside)).toBeUndefined();
    // Lampedusa is in Italy but not in the comune; the park belongs to the next comune.
    for (const [latitude, longitude] of [
      [35.5, 12.6],
      [45.08, 7.68],
    ]) {
      const outside = await h.graphql(file, { input: { ...input, latitude, longitude } }, mario);
      expect(errorOf(outside)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'latitude' });
      expect(errorOf(outside)?.message).toContain('outside the territory of Borgo Demo');
    }
    const swapped = await h.graphql(file, { input: { ...input, latitude: 7.67, longitude: 45.06 } }, mario);
    expect(errorOf(swapped)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'latitude' });
    // A territory that is not in Italy is refused.
    await expect(
      setComuneTerritory(
        h.service.database.fork({ comune: COMUNE }),
        COMUNE,
        'Borgo Demo',
        {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        },
        new Date(),
      ),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'geometry' } });
  });

  it('checks the next report against a territory changed elsewhere, even in the same instant', async () => {
    const file = `mutation($input: FileReportInput!) { fileReport(input: $input) { id } }`;
    const report = (latitude: number, longitude: number) =>
      h.graphql<any>(
        file,
        {
          input: {
            category: 'waste',
            description: 'Rifiuti abbandonati nel parcheggio.',
            latitude,
            longitude,
          },
        },
        mario,
      );
    const square = (longitude: number, latitude: number) => ({
      type: 'Polygon' as const,
      coordinates: [
        [
          [longitude - 0.02, latitude - 0.02],
          [longitude + 0.02, latitude - 0.02],
          [longitude + 0.02, latitude + 0.02],
          [longitude - 0.02, latitude + 0.02],
          [longitude - 0.02, latitude - 0.02],
        ],
      ],
    });
    // Changed straight in the database, as another replica would, and with one instant for every
    // change: the service must notice each of them all the same.
    const at = new Date();
    const set = (name: string, geometry: ReturnType<typeof square>) =>
      setComuneTerritory(h.service.database.fork({ comune: COMUNE }), COMUNE, name, geometry, at);

    await set('Borgo Demo', square(7.67, 45.06));
    expect(errorOf(await report(45.06, 7.67))).toBeUndefined();
    expect(errorOf(await report(45.061, 7.671))).toBeUndefined();
    await set('Borgo Demo', square(7.9, 45.2));
    const moved = await report(45.06, 7.67);
    expect(errorOf(moved)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'latitude' });
    expect(errorOf(await report(45.2, 7.9))).toBeUndefined();
    await set('Borgo Nuovo', square(7.9, 45.2));
    expect(errorOf(await report(45.06, 7.67))?.message).toContain('outside the territory of Borgo Nuovo');

    // Between changes the territory is kept as it was read, not read and parsed again.
    const territories = createTerritoryCache();
    const em = () => h.service.database.fork({ comune: COMUNE });
    const held = await territories.current(em(), COMUNE);
    expect(held).toMatchObject({ name: 'Borgo Nuovo' });
    expect(await territories.current(em(), COMUNE)).toBe(held);
    await set('Borgo Nuovo', square(7.67, 45.06));
    const changed = await territories.current(em(), COMUNE);
    expect(changed).not.toBe(held);
    expect(changed).toMatchObject({ version: held!.version + 1, geometry: square(7.67, 45.06) });
    // A comune without a territory has none (its reports fall back to Italy's bounds).
    expect(await territories.current(h.service.database.fork({ comune: '099002' }), '099002')).toBeNull();
  });
});
