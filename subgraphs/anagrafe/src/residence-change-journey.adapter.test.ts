import { DATABASE_DRIVERS } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '@sportello/platform';
import { ResidenceChangeEntity } from './entities/residence-change.entity.js';
import {
  COMUNE,
  PEOPLE,
  startAnagrafe,
  type GraphQLAnswer,
  type TestAnagrafe,
} from './test-support/harness.js';

const CHANGE =
  'id status declaredOn registeredOn registrationDueBy overdue replyDueOn replies { text } history { from to note }';
const DECLARE = `mutation ($input: ResidenceDeclarationInput!) { declareResidenceChange(input: $input) { ${CHANGE} } }`;
const REPLY = `mutation ($id: ID!, $text: String!) { replyToResidenceChangeObstacles(id: $id, text: $text) { ${CHANGE} } }`;
const RESIDENCE = 'residence { residentSince address { street number zone } }';

/** Friday 4 December 2026, 10:00 in Rome; Tuesday 8 December is a national holiday. */
const FRIDAY = new Date('2026-12-04T09:00:00Z');

/** The SHA-256 of some bytes, hexadecimal. */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
}

function codes(answer: GraphQLAnswer): unknown[] {
  return (answer.errors ?? []).map((error) => error.extensions?.['code']);
}

interface Change {
  id: string;
  status: string;
  registrationDueBy: string;
  overdue: boolean;
  replyDueOn: string | null;
  replies: { text: string }[];
}

describe.each(DATABASE_DRIVERS)('the residence-change journey on %s', (driver) => {
  let t: TestAnagrafe;
  let now = FRIDAY;
  const at = (iso: string) => {
    now = new Date(iso);
  };

  beforeAll(async () => {
    t = await startAnagrafe({}, driver, { clock: () => now });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function residenceOf(fiscalCode: string) {
    const answer = await t.citizenFields(fiscalCode, RESIDENCE, t.citizen(fiscalCode));
    return (answer.data?.['_entities'] as { residence: { residentSince: string; address: unknown } }[])[0]!
      .residence;
  }

  async function declare(
    fiscalCode: string,
    address: { street: string; number: string },
    withMembers?: string[],
  ) {
    const answer = await t.graphql(DECLARE, {
      as: t.citizen(fiscalCode),
      variables: { input: { address, ...(withMembers ? { withMembers } : {}) } },
    });
    expect(answer.errors).toBeUndefined();
    return answer.data?.['declareResidenceChange'] as Change;
  }

  async function staff(mutation: string): Promise<GraphQLAnswer> {
    return t.graphql(`mutation { ${mutation} }`, { as: t.staff('anagrafe') });
  }

  async function overdueList(): Promise<string[]> {
    const answer = await t.graphql(
      `query { openResidenceChanges(overdue: true, first: 100) { nodes { id overdue } } }`,
      {
        as: t.staff('anagrafe'),
      },
    );
    expect(answer.errors).toBeUndefined();
    return (answer.data?.['openResidenceChanges'] as { nodes: { id: string }[] }).nodes.map((c) => c.id);
  }

  it('shows staff the 2-working-day registration term and lists declarations past it', async () => {
    at('2026-12-04T09:00:00Z');
    const change = await declare(PEOPLE.anna.fiscalCode, { street: 'Via del Fiume', number: '20' });
    // Monday 7 is the first working day, Tuesday 8 a holiday, Wednesday 9 the second.
    expect(change).toMatchObject({ registrationDueBy: '2026-12-09', overdue: false });
    at('2026-12-09T16:00:00Z');
    expect(await overdueList()).not.toContain(change.id);
    at('2026-12-10T08:00:00Z');
    expect(await overdueList()).toContain(change.id);
    const read = await t.graphql(`query { residenceChange(id: "${change.id}") { overdue } }`, {
      as: t.staff('anagrafe'),
    });
    expect(read.data?.['residenceChange']).toEqual({ overdue: true });
    expect(
      codes(
        await t.graphql(`query { openResidenceChanges(overdue: true) { nodes { id } } }`, {
          as: t.citizen(PEOPLE.anna.fiscalCode),
        }),
      ),
    ).toEqual(['FORBIDDEN']);

    // Registered late, it is no longer overdue; withdrawn before, it would have changed nothing.
    const registered = await staff(`registerResidenceChange(id: "${change.id}") { overdue status }`);
    expect(registered.data?.['registerResidenceChange']).toEqual({ overdue: false, status: 'REGISTERED' });
    expect(await overdueList()).not.toContain(change.id);
  });

  it('pages open declarations in their order, overdue or not, with how many there are', async () => {
    at('2026-12-04T09:00:00Z');
    const mine = [
      await declare(PEOPLE.giulia.fiscalCode, { street: 'Via del Fiume', number: '21' }),
      await declare(PEOPLE.paolo.fiscalCode, { street: 'Via del Fiume', number: '22' }),
    ];
    at('2026-12-14T09:00:00Z');
    const PAGE = `query ($overdue: Boolean, $first: Int, $after: String) {
      openResidenceChanges(overdue: $overdue, first: $first, after: $after) {
        totalCount nodes { id } pageInfo { endCursor hasNextPage } } }`;
    type Page = {
      totalCount: number;
      nodes: { id: string }[];
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
    };
    const read = async (variables: Record<string, unknown>) => {
      const answer = await t.graphql(PAGE, { as: t.staff('anagrafe'), variables });
      expect(answer.errors).toBeUndefined();
      return answer.data?.['openResidenceChanges'] as Page;
    };
    for (const overdue of [null, true, false]) {
      const whole = await read({ overdue, first: 100 });
      const seen: string[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 50; guard++) {
        const page: Page = await read({ overdue, first: 1, after });
        expect(page.totalCount).toBe(whole.totalCount);
        seen.push(...page.nodes.map((node) => node.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).toEqual(whole.nodes.map((node) => node.id));
      expect(whole.totalCount).toBe(whole.nodes.length);
    }
    expect((await read({ overdue: true, first: 100 })).totalCount).toBeGreaterThanOrEqual(2);
    const refused = await t.graphql(PAGE, { as: t.staff('anagrafe'), variables: { first: 0 } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    // Withdrawn, they leave the list (and the people who declared them are free to declare again).
    const before = (await read({ first: 100 })).totalCount;
    for (const [change, person] of [
      [mine[0]!, PEOPLE.giulia],
      [mine[1]!, PEOPLE.paolo],
    ] as const) {
      const withdrawn = await t.graphql(
        `mutation { withdrawResidenceChange(id: "${change.id}") { status } }`,
        {
          as: t.citizen(person.fiscalCode),
        },
      );
      expect(withdrawn.errors).toBeUndefined();
    }
    expect((await read({ first: 100 })).totalCount).toBe(before - 2);
  });

  it('pages overdue and timely declarations across many pages, each page read by the database in order', async () => {
    // Monday 14 December 2026: declarations up to Wednesday 9 are overdue (Thursday 10's term is today).
    at('2026-12-14T09:00:00Z');
    const statuses = ['declared', 'registered', 'declared', 'obstacles-notified', 'accepted'] as const;
    const em = t.service.database.fork({ comune: COMUNE });
    const created = [];
    for (let n = 0; n < 75; n++) {
      // Three a day from 20 November to 14 December, so pages end inside a day too.
      const fiscalCode = `PGNTST${String(n).padStart(2, '0')}A01H501X`.slice(0, 16);
      const change = em.create(ResidenceChangeEntity, {
        comune: COMUNE,
        applicantFiscalCode: fiscalCode,
        movers: [
          {
            fiscalCode,
            previous: { street: 'Via Roma', number: String(n + 1), postcode: '00100', zone: null },
          },
        ],
        moverCodes: `|${fiscalCode}|`,
        street: 'Via del Fiume',
        streetNumber: String(100 + n),
        postcode: '00100',
        zone: null,
        status: statuses[n % statuses.length]!,
        declaredOn: addDays('2026-11-20', Math.floor(n / 3)),
        registeredOn: null,
        obstaclesNotifiedOn: null,
        decidedOn: null,
        history: [],
      });
      created.push(change);
    }
    await em.flush();
    const ours = new Set(created.map((change) => change.id));

    const PAGE = `query ($overdue: Boolean, $after: String) {
      openResidenceChanges(overdue: $overdue, after: $after) {
        totalCount nodes { id declaredOn status overdue } pageInfo { endCursor hasNextPage } } }`;
    type Node = { id: string; declaredOn: string; status: string; overdue: boolean };
    /** Every page at the default size (20), following the cursors. */
    const readAll = async (overdue: boolean | null) => {
      const nodes: Node[] = [];
      let after: string | null = null;
      let pages = 0;
      let totalCount = -1;
      for (; pages < 20;) {
        const answer = await t.graphql(PAGE, { as: t.staff('anagrafe'), variables: { overdue, after } });
        expect(answer.errors).toBeUndefined();
        const page = answer.data?.['openResidenceChanges'] as {
          totalCount: number;
          nodes: Node[];
          pageInfo: { endCursor: string | null; hasNextPage: boolean };
        };
        pages += 1;
        totalCount = page.totalCount;
        nodes.push(...page.nodes);
        if (!page.pageInfo.hasNextPage) break;
        expect(page.nodes).toHaveLength(20);
        after = page.pageInfo.endCursor;
      }
      expect(nodes).toHaveLength(totalCount);
      return { nodes, pages };
    };

    const all = await readAll(null);
    const overdue = await readAll(true);
    const timely = await readAll(false);
    const key = (node: Node) => `${node.declaredOn} ${node.id}`;
    for (const list of [all, overdue, timely]) {
      const keys = list.nodes.map(key);
      expect(keys).toEqual([...keys].sort());
      expect(new Set(keys).size).toBe(keys.length);
    }
    // Each list holds what its flag says, as every declaration computes it, and together they are all.
    expect(overdue.nodes.every((node) => node.overdue && node.status === 'DECLARED')).toBe(true);
    expect(timely.nodes.every((node) => !node.overdue)).toBe(true);
    expect(overdue.nodes.map((node) => node.id)).toEqual(
      all.nodes.filter((node) => node.overdue).map((node) => node.id),
    );
    expect(timely.nodes.map((node) => node.id)).toEqual(
      all.nodes.filter((node) => !node.overdue).map((node) => node.id),
    );
    // Of these 75, 30 still declared, 24 of them on or before 9 December; 60 open, accepted ones left out.
    expect(overdue.nodes.filter((node) => ours.has(node.id))).toHaveLength(24);
    expect(timely.nodes.filter((node) => ours.has(node.id))).toHaveLength(36);
    expect(overdue.pages).toBeGreaterThan(1);
    expect(timely.pages).toBeGreaterThan(1);
    expect(all.nodes.some((node) => node.declaredOn === '2026-12-10' && node.status === 'DECLARED')).toBe(
      true,
    );
    expect(overdue.nodes.some((node) => node.declaredOn > '2026-12-09')).toBe(false);
  });

  it('withdrawn before registration, nothing had changed; registered, the residence date is the declaration day', async () => {
    at('2026-12-07T09:00:00Z');
    const before = await residenceOf(PEOPLE.giulia.fiscalCode);
    const change = await declare(PEOPLE.giulia.fiscalCode, { street: 'Via Roma', number: '50' });
    const withdrawn = await t.graphql(`mutation { withdrawResidenceChange(id: "${change.id}") { status } }`, {
      as: t.citizen(PEOPLE.giulia.fiscalCode),
    });
    expect(withdrawn.data?.['withdrawResidenceChange']).toEqual({ status: 'WITHDRAWN' });
    expect(await residenceOf(PEOPLE.giulia.fiscalCode)).toEqual(before);

    const again = await declare(PEOPLE.giulia.fiscalCode, { street: 'Via Roma', number: '50' });
    at('2026-12-09T09:00:00Z');
    await staff(`registerResidenceChange(id: "${again.id}") { status }`);
    expect(await residenceOf(PEOPLE.giulia.fiscalCode)).toEqual({
      residentSince: '2026-12-07',
      address: { street: 'Via Roma', number: '50', zone: 'centro' },
    });
  });

  it('withdrawing a registered change gives every mover back their address, family and residence date', async () => {
    at('2026-12-07T09:00:00Z');
    const mario = await residenceOf(PEOPLE.mario.fiscalCode);
    const luca = await residenceOf(PEOPLE.luca.fiscalCode);
    const familyOf = async (code: string) =>
      (
        (await t.citizenFields(code, 'family { code members { fiscalCode } }', t.citizen(code))).data?.[
          '_entities'
        ] as { family: unknown }[]
      )[0]!.family;
    const family = await familyOf(PEOPLE.mario.fiscalCode);
    const change = await declare(PEOPLE.mario.fiscalCode, { street: 'Strada della Collina', number: '9' }, [
      PEOPLE.luca.fiscalCode,
    ]);
    await staff(`registerResidenceChange(id: "${change.id}") { status }`);
    expect(await residenceOf(PEOPLE.luca.fiscalCode)).toMatchObject({
      residentSince: '2026-12-07',
      address: { street: 'Strada della Collina', number: '9' },
    });
    const withdrawn = await t.graphql(`mutation { withdrawResidenceChange(id: "${change.id}") { status } }`, {
      as: t.citizen(PEOPLE.mario.fiscalCode),
    });
    expect(withdrawn.data?.['withdrawResidenceChange']).toEqual({ status: 'WITHDRAWN' });
    expect(await residenceOf(PEOPLE.mario.fiscalCode)).toEqual(mario);
    expect(await residenceOf(PEOPLE.luca.fiscalCode)).toEqual(luca);
    expect(await familyOf(PEOPLE.mario.fiscalCode)).toEqual(family);
  });

  it('the applicant replies to a notice of obstacles within 10 days, and not after', async () => {
    at('2026-12-07T09:00:00Z');
    const change = await declare(PEOPLE.paolo.fiscalCode, { street: 'Via del Fiume', number: '11' });
    const early = await t.graphql(REPLY, {
      as: t.citizen(PEOPLE.paolo.fiscalCode),
      variables: { id: change.id, text: 'Abito qui' },
    });
    expect(codes(early)).toEqual(['CONFLICT']);
    expect(early.errors?.[0]?.extensions?.['field']).toBe('id');

    await staff(`registerResidenceChange(id: "${change.id}") { status }`);
    const noticed = await staff(
      `notifyResidenceChangeObstacles(id: "${change.id}", note: "Il nome non risulta sul citofono") { replyDueOn }`,
    );
    expect(noticed.data?.['notifyResidenceChangeObstacles']).toEqual({ replyDueOn: '2026-12-17' });

    const empty = await t.graphql(REPLY, {
      as: t.citizen(PEOPLE.paolo.fiscalCode),
      variables: { id: change.id, text: '   ' },
    });
    expect(codes(empty)).toEqual(['BAD_USER_INPUT']);
    expect(empty.errors?.[0]?.extensions?.['field']).toBe('text');
    const long = await t.graphql(REPLY, {
      as: t.citizen(PEOPLE.paolo.fiscalCode),
      variables: { id: change.id, text: 'x'.repeat(4001) },
    });
    expect(long.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });
    const stranger = await t.graphql(REPLY, {
      as: t.citizen(PEOPLE.giulia.fiscalCode),
      variables: { id: change.id, text: 'Non sono io' },
    });
    expect(codes(stranger)).toEqual(['FORBIDDEN']);

    at('2026-12-17T20:00:00Z');
    const replied = await t.graphql(REPLY, {
      as: t.citizen(PEOPLE.paolo.fiscalCode),
      variables: { id: change.id, text: 'Il citofono è stato aggiornato: allego foto.' },
    });
    expect(replied.errors).toBeUndefined();
    expect(replied.data?.['replyToResidenceChangeObstacles']).toMatchObject({
      status: 'OBSTACLES_NOTIFIED',
      replies: [{ text: 'Il citofono è stato aggiornato: allego foto.' }],
    });

    at('2026-12-18T09:00:00Z');
    const late = await t.graphql(REPLY, {
      as: t.citizen(PEOPLE.paolo.fiscalCode),
      variables: { id: change.id, text: 'Ancora una cosa' },
    });
    expect(codes(late)).toEqual(['CONFLICT']);
    expect(late.errors?.[0]?.message).toContain('ended on 2026-12-17');
    const read = await t.graphql(`query { residenceChange(id: "${change.id}") { ${CHANGE} } }`, {
      as: t.staff('anagrafe'),
    });
    expect((read.data?.['residenceChange'] as Change).replies).toHaveLength(1);

    // The office reads the reply and accepts; every step reached the citizen's notices.
    const accepted = await staff(`acceptResidenceChange(id: "${change.id}") { status }`);
    expect(accepted.data?.['acceptResidenceChange']).toEqual({ status: 'ACCEPTED' });
    await t.settle();
    const steps = t.events
      .filter((e) => e.type === 'residence-change.status-changed' && e.subject === change.id)
      .map((e) => (e.data as { to: string }).to);
    expect(steps).toEqual(['declared', 'registered', 'obstacles-notified', 'accepted']);
  });

  it('rejected after the reply period, the mover is back at the previous address with the previous residence date', async () => {
    at('2026-12-07T09:00:00Z');
    const before = await residenceOf(PEOPLE.chiara.fiscalCode);
    const change = await declare(PEOPLE.chiara.fiscalCode, { street: 'Via del Fiume', number: '30' });
    await staff(`registerResidenceChange(id: "${change.id}") { status }`);
    expect(await residenceOf(PEOPLE.chiara.fiscalCode)).toMatchObject({ residentSince: '2026-12-07' });
    await staff(
      `notifyResidenceChangeObstacles(id: "${change.id}", note: "Nessuno all'indirizzo") { status }`,
    );
    at('2026-12-18T09:00:00Z');
    const rejected = await staff(
      `rejectResidenceChange(id: "${change.id}", note: "Nessuna risposta ai motivi ostativi") { status }`,
    );
    expect(rejected.data?.['rejectResidenceChange']).toEqual({ status: 'REJECTED' });
    expect(await residenceOf(PEOPLE.chiara.fiscalCode)).toEqual(before);
  });

  it('the reply carries documents: uploaded through the route, checked, hashed, and read by the office', async () => {
    at('2026-12-21T09:00:00Z');
    const change = await declare(PEOPLE.paolo.fiscalCode, { street: 'Strada della Collina', number: '5' });
    const upload = async (
      as: ReturnType<TestAnagrafe['citizen']>,
      body: Buffer,
      filename: string,
      type = 'application/octet-stream',
      id = change.id,
    ) =>
      fetch(
        `${t.url}/residence-change-documents?residenceChangeId=${id}&filename=${encodeURIComponent(filename)}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${await t.token(as)}`, 'content-type': type },
          body,
        },
      );
    const paolo = t.citizen(PEOPLE.paolo.fiscalCode);
    const lease = Buffer.from('%PDF-1.7\ncontratto di locazione\n%%EOF\n');
    // Nothing to answer yet: no notice of obstacles.
    expect((await upload(paolo, lease, 'contratto.pdf')).status).toBe(409);

    await staff(`registerResidenceChange(id: "${change.id}") { status }`);
    await staff(`notifyResidenceChangeObstacles(id: "${change.id}", note: "Manca il contratto") { status }`);

    const stored = await upload(paolo, lease, 'contratto.pdf', 'application/pdf');
    expect(stored.status).toBe(201);
    const { document } = (await stored.json()) as { document: { id: string; sha256: string; size: number } };
    expect(document).toMatchObject({
      size: lease.length,
      sha256: await sha256Hex(lease),
    });

    const refused = async (response: Response) => ({
      status: response.status,
      ...((await response.json()) as { error: { code: string; field?: string } }).error,
    });
    expect(await refused(await upload(paolo, Buffer.from('just text'), 'note.txt'))).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect(await refused(await upload(paolo, lease, 'contratto.pdf', 'image/png'))).toMatchObject({
      status: 415,
      field: 'content-type',
    });
    expect(
      await refused(await upload(paolo, Buffer.concat([lease, Buffer.alloc(64 * 1024)]), 'big.pdf')),
    ).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(await refused(await upload(paolo, lease, ''))).toMatchObject({ status: 400, field: 'filename' });
    // Someone who cannot see the declaration does not learn it exists; staff do not answer for the citizen.
    expect((await upload(t.citizen(PEOPLE.giulia.fiscalCode), lease, 'x.pdf')).status).toBe(404);
    expect((await upload(t.staff('anagrafe'), lease, 'x.pdf')).status).toBe(403);

    const withDocuments = `mutation ($id: ID!, $text: String!, $documentIds: [ID!]) {
      replyToResidenceChangeObstacles(id: $id, text: $text, documentIds: $documentIds) {
        replies { text documents { id filename mimeType size sha256 url } }
      }
    }`;
    const unknown = await t.graphql(withDocuments, {
      as: paolo,
      variables: {
        id: change.id,
        text: 'Allego il contratto',
        documentIds: [document.id, crypto.randomUUID()],
      },
    });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'documentIds.1' });

    const replied = await t.graphql(withDocuments, {
      as: paolo,
      variables: { id: change.id, text: 'Allego il contratto', documentIds: [document.id] },
    });
    expect(replied.errors).toBeUndefined();
    const sent = (
      replied.data?.['replyToResidenceChangeObstacles'] as {
        replies: { documents: { url: string }[] }[];
      }
    ).replies[0]!.documents[0]!;
    expect(sent).toMatchObject({
      id: document.id,
      filename: 'contratto.pdf',
      mimeType: 'application/pdf',
      sha256: document.sha256,
      url: `https://servizi.comune.example/residence-change-documents/content?id=${document.id}`,
    });
    const again = await t.graphql(withDocuments, {
      as: paolo,
      variables: { id: change.id, text: 'Di nuovo', documentIds: [document.id] },
    });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'documentIds.0' });

    // The office downloads it (the read audited); a stranger cannot.
    const path = new URL(sent.url).pathname + new URL(sent.url).search;
    const download = await t.get(path, t.staff('anagrafe'));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(lease);
    expect((await t.audited()).map((a) => a.resources).flat()).toContain(
      `ResidenceChangeDocument:${document.id}`,
    );
    expect((await t.get(path, t.citizen(PEOPLE.giulia.fiscalCode))).status).toBe(404);
    expect((await t.get(path, paolo)).status).toBe(200);

    // A declaration's replies carry at most ten documents.
    for (let i = 1; i < 10; i++) expect((await upload(paolo, lease, `pagina-${i}.pdf`)).status).toBe(201);
    expect(await refused(await upload(paolo, lease, 'troppi.pdf'))).toMatchObject({
      status: 400,
      code: 'BAD_USER_INPUT',
      field: 'residenceChangeId',
    });
  });

  it('names the adults moving with the applicant on every step, so each of them is told (a minor is not)', async () => {
    at('2026-12-22T09:00:00Z');
    const change = await declare(PEOPLE.mario.fiscalCode, { street: 'Via del Fiume', number: '40' }, [
      PEOPLE.chiara.fiscalCode,
      PEOPLE.luca.fiscalCode,
    ]);
    await staff(`registerResidenceChange(id: "${change.id}") { status }`);
    await t.settle();
    const steps = t.events
      .filter((e) => e.type === 'residence-change.status-changed' && e.subject === change.id)
      .map((e) => e.data as { to: string; applicantFiscalCode: string; adultMoverFiscalCodes?: string[] });
    expect(steps).toEqual([
      expect.objectContaining({
        to: 'declared',
        applicantFiscalCode: PEOPLE.mario.fiscalCode,
        adultMoverFiscalCodes: [PEOPLE.chiara.fiscalCode],
      }),
      expect.objectContaining({ to: 'registered', adultMoverFiscalCodes: [PEOPLE.chiara.fiscalCode] }),
    ]);
  });
});
