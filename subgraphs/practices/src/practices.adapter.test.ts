/* eslint-disable @typescript-eslint/no-explicit-any -- answers are read loosely; the assertions check their shape */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkyWasteDraft } from '@sportello/test-support';
import {
  CHIARA,
  CHILD,
  COMUNE,
  MARIO,
  startHarness,
  type GraphQLAnswer,
  type Harness,
} from './test-support/harness.js';

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 0x20), Buffer.from('\n%%EOF\n')]);

const PRACTICE_FIELDS = /* GraphQL */ `
  id status protocolNumber office typeCode data availableActions outcomeReason
  timeline { action from to note protocolNumber actor { kind id you } }
`;
const CREATE = `mutation($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { ${PRACTICE_FIELDS} } }`;
const SAVE = `mutation($id: ID!, $data: JSONObject!) { savePracticeData(id: $id, data: $data) { ${PRACTICE_FIELDS} } }`;
const SUBMIT = `mutation($id: ID!) { submitPractice(id: $id) { ${PRACTICE_FIELDS} } }`;
const GET = `query($id: ID!) { practice(id: $id) { ${PRACTICE_FIELDS} messages { author body actor { you } } attachments { kind mimeType size sha256 } integrationRequests { message answer } } }`;

function errorOf(answer: GraphQLAnswer) {
  return answer.errors?.[0];
}

const completeAccessRequest = {
  documents: 'Verbale della commissione edilizia del 12/03/2025',
  reason: 'Confinante del lotto interessato dal permesso di costruire',
  mode: 'simple-copy',
  email: 'mario.rossi@example.org',
};

describe.each(['sqlite', 'postgresql'] as const)('practices subgraph over HTTP (%s)', (driver) => {
  let h: Harness;
  let mario: string;
  let staff: string;

  beforeAll(async () => {
    h = await startHarness(driver);
    mario = await h.citizen();
    staff = await h.staff(['practices'], 'urp.bianchi');
  });
  afterAll(async () => {
    await h?.close();
  });

  async function upload(
    practiceId: string,
    bytes: Buffer,
    contentType: string,
    bearer = mario,
    kind = 'identity-document',
  ) {
    const response = await fetch(
      `${h.url}/attachments?practiceId=${practiceId}&kind=${kind}&filename=documento.pdf`,
      { method: 'POST', headers: { authorization: bearer, 'content-type': contentType }, body: bytes },
    );
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  it('publishes a paginated, filterable catalogue of practice types to anonymous callers', async () => {
    const first = await h.graphql<any>(
      `{ practiceTypes(first: 10) { totalCount nodes { code } pageInfo { endCursor hasNextPage } } }`,
    );
    expect(first.errors).toBeUndefined();
    const page = first.data.practiceTypes;
    expect(page.totalCount).toBeGreaterThanOrEqual(30);
    expect(page.nodes).toHaveLength(10);
    const next = await h.graphql<any>(
      `query($after: String) { practiceTypes(first: 10, after: $after) { nodes { code } } }`,
      {
        after: page.pageInfo.endCursor,
      },
    );
    const codes = [...page.nodes, ...next.data.practiceTypes.nodes].map((n: { code: string }) => n.code);
    expect(new Set(codes).size).toBe(20);
    expect(codes).toEqual([...codes].sort());

    const suap = await h.graphql<any>(`{ practiceTypes(office: "suap", first: 100) { nodes { office } } }`);
    expect(suap.data.practiceTypes.nodes.length).toBeGreaterThan(3);
    expect(new Set(suap.data.practiceTypes.nodes.map((n: { office: string }) => n.office))).toEqual(
      new Set(['suap']),
    );
    const search = await h.graphql<any>(
      `{ practiceTypes(search: "COSTRUIRE") { nodes { code fee { amountCents viaTributi } requiredAttachments { code required } formSchema } } }`,
    );
    expect(search.data.practiceTypes.nodes[0]).toMatchObject({
      code: 'building-permit',
      fee: { amountCents: 20000, viaTributi: true },
    });
    expect(search.data.practiceTypes.nodes[0].formSchema.required).toContain('cadastral');
  });

  it('runs a whole life cycle as citizen and staff, refusing bad input and illegal steps without losing data', async () => {
    // A bad initial form is refused, pointing at the field.
    const bad = await h.graphql(
      CREATE,
      { input: { typeCode: 'access-to-records', data: { mode: 'fax' } } },
      mario,
    );
    expect(errorOf(bad)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.data.mode' });

    const created = await h.graphql<any>(
      CREATE,
      { input: { typeCode: 'access-to-records', data: { documents: 'Verbale della commissione edilizia' } } },
      mario,
    );
    expect(created.errors).toBeUndefined();
    const id: string = created.data.createPracticeDraft.id;
    expect(created.data.createPracticeDraft).toMatchObject({
      status: 'DRAFT',
      office: 'practices',
      protocolNumber: null,
    });

    // An invalid save keeps what was saved.
    const invalid = await h.graphql(SAVE, { id, data: { documents: 'x', email: 'not-an-email' } }, mario);
    expect(errorOf(invalid)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'data.email' });
    expect(errorOf(invalid)?.message).toMatch(/Email/);
    const kept = await h.graphql<any>(GET, { id }, mario);
    expect(kept.data.practice.data).toEqual({ documents: 'Verbale della commissione edilizia' });

    // Submission needs the required fields, then the required attachment.
    const incomplete = await h.graphql(SUBMIT, { id }, mario);
    expect(errorOf(incomplete)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'data.reason' });
    expect((await h.graphql(SAVE, { id, data: completeAccessRequest }, mario)).errors).toBeUndefined();
    const noAttachment = await h.graphql(SUBMIT, { id }, mario);
    expect(errorOf(noAttachment)?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'attachments/identity-document',
    });

    // Attachments: too large, not what it claims, then a real PDF.
    const tooLarge = await upload(id, Buffer.concat([PDF, Buffer.alloc(300 * 1024)]), 'application/pdf');
    expect(tooLarge).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    const fake = await upload(
      id,
      Buffer.from('MZ\x90\x00 this is an executable, not a pdf'),
      'application/pdf',
    );
    expect(fake).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });
    const lying = await upload(
      id,
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
      'application/pdf',
    );
    expect(lying.status).toBe(415);
    expect(lying.body.error.message).toMatch(/image\/png.*application\/pdf/);
    const stranger = await upload(id, PDF, 'application/pdf', await h.citizen(CHIARA));
    expect(stranger.status).toBe(404);
    const good = await upload(id, PDF, 'application/pdf');
    expect(good).toMatchObject({
      status: 201,
      body: { attachment: { kind: 'identity-document', mimeType: 'application/pdf', size: PDF.length } },
    });

    const extra = await upload(id, PDF, 'application/pdf', mario, 'other');
    const removed = await h.graphql<any>(
      `mutation($a: ID!) { removePracticeAttachment(attachmentId: $a) }`,
      { a: extra.body.attachment.id },
      mario,
    );
    expect(removed.data).toEqual({ removePracticeAttachment: true });
    const submitted = await h.graphql<any>(SUBMIT, { id }, mario);
    expect(submitted.errors).toBeUndefined();
    const first = submitted.data.submitPractice;
    expect(first.status).toBe('REGISTERED');
    expect(first.protocolNumber).toMatch(new RegExp(`^${new Date().getUTCFullYear()}/\\d{6}$`));
    // Once submitted the form is frozen.
    const late = await h.graphql(SAVE, { id, data: completeAccessRequest }, mario);
    expect(errorOf(late)?.extensions).toMatchObject({ code: 'CONFLICT', status: 'registered' });
    expect((await upload(id, PDF, 'application/pdf')).status).toBe(409);

    // Staff: other offices are refused, the right office sees the queue and counts.
    const anagrafe = await h.staff(['anagrafe']);
    const forbidden = await h.graphql(
      `mutation($id: ID!) { takePracticeInCharge(id: $id) { id } }`,
      { id },
      anagrafe,
    );
    expect(errorOf(forbidden)?.extensions?.code).toBe('FORBIDDEN');
    const otherQueue = await h.graphql(
      `{ practiceQueue(office: "practices") { nodes { id } } }`,
      {},
      anagrafe,
    );
    expect(errorOf(otherQueue)?.extensions?.code).toBe('FORBIDDEN');
    const citizenQueue = await h.graphql(
      `{ practiceCounts(office: "practices") { status count } }`,
      {},
      mario,
    );
    expect(errorOf(citizenQueue)?.extensions?.code).toBe('FORBIDDEN');
    const queue = await h.graphql<any>(
      `{ practiceQueue(office: "practices", status: REGISTERED, first: 5) { nodes { id applicantFiscalCode } pageInfo { hasNextPage } } practiceCounts(office: "practices") { status count } }`,
      {},
      staff,
    );
    expect(queue.errors).toBeUndefined();
    expect(queue.data.practiceQueue.nodes).toContainEqual({ id, applicantFiscalCode: MARIO });
    expect(queue.data.practiceCounts).toContainEqual({ status: 'REGISTERED', count: 1 });
    expect(h.audit.entries).toContainEqual(
      expect.objectContaining({
        actor: 'staff:urp.bianchi',
        resource: `Practice:${id}`,
        subjectFiscalCode: MARIO,
      }),
    );

    // An illegal step names the current status and the attempted action.
    const illegal = await h.graphql(`mutation($id: ID!) { acceptPractice(id: $id) { id } }`, { id }, staff);
    expect(errorOf(illegal)?.extensions).toMatchObject({
      code: 'CONFLICT',
      status: 'registered',
      action: 'accept',
    });
    expect(errorOf(illegal)?.message).toMatch(/is registered: cannot accept/);

    const step = async (mutation: string, variables: Record<string, unknown>, bearer: string) => {
      const answer = await h.graphql<any>(mutation, { id, ...variables }, bearer);
      expect(answer.errors).toBeUndefined();
      return Object.values(answer.data ?? {})[0] as Record<string, any>;
    };
    expect(
      (await step(`mutation($id: ID!) { takePracticeInCharge(id: $id) { status } }`, {}, staff)).status,
    ).toBe('TAKEN_IN_CHARGE');
    // An impossible deadline is refused, not rolled over into March; a message cut at 1000 would lose words.
    const REQUEST = `mutation($id: ID!, $m: String!, $by: String) { requestPracticeIntegration(id: $id, message: $m, respondBy: $by) { status } }`;
    const impossible = await h.graphql(
      REQUEST,
      { id, m: 'Indicare il protocollo.', by: '2099-02-31' },
      staff,
    );
    expect(errorOf(impossible)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'respondBy' });
    const tooLong = await h.graphql(REQUEST, { id, m: 'a'.repeat(1001), by: '2099-01-31' }, staff);
    expect(errorOf(tooLong)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'message' });
    await step(
      `mutation($id: ID!, $m: String!) { requestPracticeIntegration(id: $id, message: $m, respondBy: "2099-01-31") { status } }`,
      { m: 'Indicare il numero di protocollo del permesso di costruire.' },
      staff,
    );
    expect(
      (
        await step(
          SAVE,
          { data: { ...completeAccessRequest, documents: 'Verbale e permesso n. 45/2024' } },
          mario,
        )
      ).status,
    ).toBe('INTEGRATION_REQUESTED');
    const answered = await step(
      `mutation($id: ID!) { answerPracticeIntegration(id: $id, answer: "Il permesso è il n. 45/2024.") { status protocolNumber } }`,
      {},
      mario,
    );
    expect(answered.status).toBe('REGISTERED');
    expect(answered.protocolNumber).not.toBe(first.protocolNumber);
    await step(`mutation($id: ID!) { takePracticeInCharge(id: $id) { status } }`, {}, staff);
    await step(`mutation($id: ID!) { startPracticeProcessing(id: $id) { status } }`, {}, staff);
    await step(
      `mutation($id: ID!) { postPracticeMessage(practiceId: $id, body: "Copie pronte da ritirare lunedì.") { id } }`,
      {},
      staff,
    );
    await step(
      `mutation($id: ID!) { postPracticeMessage(practiceId: $id, body: "Grazie, passerò lunedì.") { id } }`,
      {},
      mario,
    );
    const accepted = await step(
      `mutation($id: ID!) { acceptPractice(id: $id, reason: "Accesso consentito.") { status outcomeReason availableActions } }`,
      {},
      staff,
    );
    expect(accepted).toEqual({
      status: 'ACCEPTED',
      outcomeReason: 'Accesso consentito.',
      availableActions: [],
    });

    const withdrawLate = await h.graphql(
      `mutation($id: ID!) { withdrawPractice(id: $id) { id } }`,
      { id },
      mario,
    );
    expect(errorOf(withdrawLate)?.extensions).toMatchObject({
      code: 'CONFLICT',
      status: 'accepted',
      action: 'withdraw',
    });

    // The citizen sees the whole timeline, their own steps marked, no fiscal code anywhere in it.
    const seen = await h.graphql<any>(GET, { id }, mario);
    const practice = seen.data.practice;
    expect(practice.timeline.map((c: { action: string; to: string }) => `${c.action}:${c.to}`)).toEqual([
      'create:DRAFT',
      'submit:SUBMITTED',
      'register:REGISTERED',
      'take-in-charge:TAKEN_IN_CHARGE',
      'request-integration:INTEGRATION_REQUESTED',
      'answer-integration:INTEGRATION_ANSWERED',
      'resubmit-after-integration:SUBMITTED_AFTER_INTEGRATION',
      'register:REGISTERED',
      'take-in-charge:TAKEN_IN_CHARGE',
      'start-processing:PROCESSING',
      'accept:ACCEPTED',
    ]);
    expect(practice.timeline[0].actor).toMatchObject({ kind: 'CITIZEN', you: true });
    expect(practice.timeline[3].actor).toEqual({ kind: 'STAFF', id: 'urp.bianchi', you: false });
    expect(JSON.stringify(practice.timeline)).not.toContain(MARIO);
    expect(
      practice.messages.map((m: { author: string; actor: { you: boolean } }) => [m.author, m.actor.you]),
    ).toEqual([
      ['STAFF', false],
      ['CITIZEN', true],
    ]);
    expect(practice.integrationRequests).toEqual([
      {
        message: 'Indicare il numero di protocollo del permesso di costruire.',
        answer: 'Il permesso è il n. 45/2024.',
      },
    ]);
    expect(practice.attachments).toHaveLength(1);
    expect(practice.data.documents).toBe('Verbale e permesso n. 45/2024');

    // Others do not see it; the gateway's entity fetch gets null for them.
    const chiara = await h.citizen(CHIARA);
    expect(errorOf(await h.graphql(GET, { id }, chiara))?.extensions?.code).toBe('NOT_FOUND');
    const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Practice { id status } } }`;
    const representation = { r: [{ __typename: 'Practice', id }] };
    expect((await h.graphql<any>(entities, representation, chiara)).data._entities).toEqual([null]);
    expect((await h.graphql<any>(entities, representation, staff)).data._entities).toEqual([
      { id, status: 'ACCEPTED' },
    ]);

    const events = await h.drainEvents();
    const mine = events.filter((e) => e.subject === id);
    expect(mine.map((e) => e.type)).toContain('practice.submitted');
    expect(mine.find((e) => e.type === 'practice.integration-requested')?.data).toMatchObject({
      practiceId: id,
      respondBy: '2099-01-31',
    });
    expect(
      mine
        .filter((e) => e.type === 'practice.message-posted')
        .map((e) => (e.data as { author: string }).author),
    ).toEqual(['staff', 'citizen']);
    const changes = mine
      .filter((e) => e.type === 'practice.status-changed')
      .map((e) => e.data as Record<string, unknown>);
    expect(changes.at(-1)).toMatchObject({
      practiceId: id,
      office: 'practices',
      applicantFiscalCode: MARIO,
      from: 'processing',
      to: 'accepted',
    });
    expect(changes).toHaveLength(11);
    for (const event of mine) expect(event.actor?.id).not.toBe(MARIO);
  });

  it('lets a delegate file for the person they act for, and shows it on both Citizen entities', async () => {
    const created = await h.graphql<any>(
      CREATE,
      { input: { typeCode: 'school-canteen-enrolment', onBehalfOf: CHILD } },
      mario,
    );
    expect(created.errors).toBeUndefined();
    const notMine = await h.graphql(
      CREATE,
      { input: { typeCode: 'school-canteen-enrolment', onBehalfOf: CHIARA } },
      mario,
    );
    expect(errorOf(notMine)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'onBehalfOf' });
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { fiscalCode practices { nodes { id onBehalfOfFiscalCode } } } } }`;
    const child = await h.graphql<any>(query, { r: [{ __typename: 'Citizen', fiscalCode: CHILD }] }, mario);
    expect(child.errors).toBeUndefined();
    expect(child.data._entities[0].practices.nodes).toEqual([
      { id: created.data.createPracticeDraft.id, onBehalfOfFiscalCode: CHILD },
    ]);
    const denied = await h.graphql(
      query,
      { r: [{ __typename: 'Citizen', fiscalCode: MARIO }] },
      await h.citizen(CHIARA),
    );
    expect(errorOf(denied)?.extensions?.code).toBe('FORBIDDEN');
    const app = await h.issuer.bearer({
      kind: 'client',
      comune: COMUNE,
      clientId: 'app-senza-scope',
      scopes: ['openid'],
      onBehalfOf: { fiscalCode: MARIO, actsFor: [] },
      tokenId: 'app-token',
    });
    expect(errorOf(await h.graphql(`{ myPractices { nodes { id } } }`, {}, app))?.extensions?.code).toBe(
      'FORBIDDEN',
    );
  });

  it('gives 50 concurrent submissions 50 distinct consecutive protocol numbers', async () => {
    const citizen = await h.citizen(CHIARA);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const created = await h.graphql<any>(
        CREATE,
        {
          input: bulkyWasteDraft({ street: 'Via Roma', number: String(i + 1), postcode: '10100' }),
        },
        citizen,
      );
      ids.push(created.data.createPracticeDraft.id);
    }
    const answers = await Promise.all(ids.map((id) => h.graphql<any>(SUBMIT, { id }, citizen)));
    expect(answers.flatMap((a) => a.errors ?? [])).toEqual([]);
    const sequences = answers
      .map((a) => Number(a.data.submitPractice.protocolNumber.split('/')[1]))
      .sort((a, b) => a - b);
    expect(new Set(sequences).size).toBe(50);
    expect(sequences.at(-1)! - sequences[0]!).toBe(49);
  });

  it("pages through an office's queue from either end: the latest arrival first with NEWEST_FIRST", async () => {
    const citizen = await h.citizen(CHIARA);
    const created = await h.graphql<any>(
      CREATE,
      {
        input: bulkyWasteDraft({ street: 'Via Po', number: '7', postcode: '10100' }),
      },
      citizen,
    );
    const latest = created.data.createPracticeDraft.id as string;
    expect((await h.graphql<any>(SUBMIT, { id: latest }, citizen)).errors).toBeUndefined();

    const QUEUE = `query($order: PracticeQueueOrder, $after: String) {
      practiceQueue(office: "practices", first: 20, order: $order, after: $after) {
        nodes { id } pageInfo { endCursor hasNextPage }
      }
    }`;
    async function all(order?: string): Promise<string[]> {
      const ids: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = await h.graphql<any>(QUEUE, { order, after }, staff);
        expect(page.errors).toBeUndefined();
        ids.push(...page.data.practiceQueue.nodes.map((node: { id: string }) => node.id));
        if (!page.data.practiceQueue.pageInfo.hasNextPage) return ids;
        after = page.data.practiceQueue.pageInfo.endCursor;
      }
    }
    const oldestFirst = await all();
    const newestFirst = await all('NEWEST_FIRST');
    expect(oldestFirst.length).toBeGreaterThan(40);
    expect(new Set(newestFirst).size).toBe(newestFirst.length);
    expect(newestFirst).toEqual([...oldestFirst].reverse());
    expect(newestFirst[0]).toBe(latest);
    expect(await all('OLDEST_FIRST')).toEqual(oldestFirst);

    // A cursor asked for in the other order is refused, naming the problem.
    const newest: any = await h.graphql<any>(QUEUE, { order: 'NEWEST_FIRST', after: null }, staff);
    const mixed = await h.graphql<any>(
      QUEUE,
      { order: 'OLDEST_FIRST', after: newest.data.practiceQueue.pageInfo.endCursor },
      staff,
    );
    expect(errorOf(mixed)).toMatchObject({
      message: 'after is a cursor of the NEWEST_FIRST order: ask for the same order',
      extensions: { code: 'BAD_USER_INPUT', field: 'after' },
    });
  });

  it('takes only the attachment kinds the practice type lists, at most 20 files per draft', async () => {
    const created = await h.graphql<any>(
      CREATE,
      { input: { typeCode: 'access-to-records', data: { documents: 'Delibera di giunta n. 12' } } },
      mario,
    );
    const id: string = created.data.createPracticeDraft.id;
    const attached = async () =>
      (await h.graphql<any>(GET, { id }, mario)).data.practice.attachments as { kind: string }[];

    // access-to-records lists identity-document only: a passport is not one of its attachments.
    const passport = await upload(id, PDF, 'application/pdf', mario, 'passport');
    expect(passport).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_USER_INPUT', field: 'kind' } },
    });
    expect(passport.body.error.message).toMatch(/"identity-document", "other"/);
    expect(await attached()).toEqual([]);

    for (let i = 0; i < 19; i++) {
      expect(
        (await upload(id, PDF, 'application/pdf', mario, i === 0 ? 'identity-document' : 'other')).status,
      ).toBe(201);
    }
    // Two uploads at once for the last free place: one gets it, the other is refused.
    const race = await Promise.all([
      upload(id, PDF, 'application/pdf', mario, 'other'),
      upload(id, PDF, 'application/pdf', mario, 'other'),
    ]);
    expect(race.map((answer) => answer.status).sort()).toEqual([
      201,
      race.some((a) => a.status === 409) ? 409 : 400,
    ]);
    expect(await attached()).toHaveLength(20);

    const oneTooMany = await upload(id, PDF, 'application/pdf', mario, 'other');
    expect(oneTooMany).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_USER_INPUT', field: 'practiceId' } },
    });
    expect(oneTooMany.body.error.message).toMatch(/already has 20 attachments/);
    expect(await attached()).toHaveLength(20);
  });

  it('refuses a reason over 1000 characters instead of cutting what the citizen is told', async () => {
    const created = await h.graphql<any>(CREATE, { input: { typeCode: 'access-to-records' } }, mario);
    const id: string = created.data.createPracticeDraft.id;
    const WITHDRAW = `mutation($id: ID!, $r: String) { withdrawPractice(id: $id, reason: $r) { status timeline { note } } }`;
    const long = await h.graphql(WITHDRAW, { id, r: 'motivo '.repeat(200) }, mario);
    expect(errorOf(long)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(errorOf(long)?.message).toMatch(/1399 characters, 1000 at most/);
    expect((await h.graphql<any>(GET, { id }, mario)).data.practice.status).toBe('DRAFT');

    const reason = 'm'.repeat(1000);
    const withdrawn = await h.graphql<any>(WITHDRAW, { id, r: reason }, mario);
    expect(withdrawn.data.withdrawPractice.status).toBe('WITHDRAWN');
    const events = (await h.drainEvents()).filter(
      (e) =>
        e.type === 'practice.status-changed' &&
        e.subject === id &&
        (e.data as { to: string }).to === 'withdrawn',
    );
    expect(events.map((e) => (e.data as { note?: string }).note)).toEqual([reason]);
  });
});
