import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeFiscalCode } from '@sportello/schema';
import { IdentityDocumentEntity } from './entities/identity-document.entity.js';
import {
  COMUNE,
  PEOPLE,
  startAnagrafe,
  today,
  type GraphQLAnswer,
  type TestAnagrafe,
} from './test-support/harness.js';
import { addDays } from '@sportello/platform';

const RESIDENCE =
  'residence { givenName familyName birthDate civilStatus address { street number postcode zone } electoral { section } }';
const FAMILY = 'family { code members { fiscalCode givenName relationship } }';
const DOCUMENTS = 'identityDocuments { id kind number issuedOn expiresOn valid renewalOpen }';

const REGISTER = `mutation ($input: NewResidentInput!) { registerResident(input: $input) { fiscalCode } }`;

/** A daughter `name` Rossi born in Genova on `birthDate`, to register as a child of family F0001. */
function newbornDaughter(name: string, birthDate: string) {
  const fiscalCode = computeFiscalCode({
    surname: 'Rossi',
    name,
    birthDate,
    sex: 'F',
    birthPlaceCode: 'D969',
  });
  return {
    fiscalCode,
    givenName: name,
    familyName: 'Rossi',
    sex: 'F',
    birthDate,
    birthPlaceCode: 'D969',
    birthPlaceName: 'Genova',
    citizenship: 'IT',
    civilStatus: 'SINGLE',
    street: 'Via Roma',
    number: '12',
    familyCode: 'F0001',
    relationship: 'CHILD',
  };
}

function codes(answer: GraphQLAnswer): unknown[] {
  return (answer.errors ?? []).map((error) => error.extensions?.['code']);
}

function entity(answer: GraphQLAnswer): Record<string, unknown> {
  return ((answer.data?.['_entities'] as Record<string, unknown>[] | undefined) ?? [])[0] ?? {};
}

let t: TestAnagrafe;
beforeAll(async () => {
  t = await startAnagrafe();
});
afterAll(async () => {
  await t?.close();
});

describe('a citizen reading their registry record', () => {
  it('reads their own residence, family and documents', async () => {
    const answer = await t.citizenFields(
      PEOPLE.mario.fiscalCode,
      `${RESIDENCE} ${FAMILY} ${DOCUMENTS}`,
      t.citizen(PEOPLE.mario.fiscalCode),
    );
    expect(answer.errors).toBeUndefined();
    const citizen = entity(answer);
    expect(citizen['residence']).toMatchObject({
      givenName: 'Mario',
      familyName: 'Rossi',
      birthDate: '1980-05-10',
      civilStatus: 'MARRIED',
      address: { street: 'Via Roma', number: '12', postcode: '16100', zone: 'centro' },
    });
    const family = citizen['family'] as { members: { fiscalCode: string; relationship: string }[] };
    expect(family.members.map((m) => m.relationship)).toEqual(['HEAD', 'SPOUSE', 'CHILD', 'CHILD']);
    expect(family.members.map((m) => m.fiscalCode)).toContain(PEOPLE.luca.fiscalCode);
    const documents = citizen['identityDocuments'] as { kind: string; expiresOn: string }[];
    expect(documents).toHaveLength(1);
  });

  it('cannot read another citizen’s data (FORBIDDEN on each field)', async () => {
    const answer = await t.citizenFields(
      PEOPLE.mario.fiscalCode,
      `${RESIDENCE} ${FAMILY} ${DOCUMENTS}`,
      t.citizen(PEOPLE.paolo.fiscalCode),
    );
    expect(codes(answer)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(JSON.stringify(answer.data)).not.toContain('Via Roma');
  });

  it('asks an anonymous caller to sign in', async () => {
    const answer = await t.citizenFields(PEOPLE.mario.fiscalCode, RESIDENCE);
    expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
  });

  it('lets a parent read their minor child’s record, but not their adult child’s', async () => {
    const asMother = t.citizen(PEOPLE.chiara.fiscalCode);
    const minor = await t.citizenFields(PEOPLE.luca.fiscalCode, `${RESIDENCE} ${DOCUMENTS}`, asMother);
    expect(minor.errors).toBeUndefined();
    expect(entity(minor)['residence']).toMatchObject({ givenName: 'Luca' });
    const adult = await t.citizenFields(PEOPLE.anna.fiscalCode, RESIDENCE, asMother);
    expect(codes(adult)).toEqual(['FORBIDDEN']);
    // A delegation carried by the token works too.
    const delegated = await t.citizenFields(
      PEOPLE.anna.fiscalCode,
      RESIDENCE,
      t.citizen(PEOPLE.paolo.fiscalCode, [PEOPLE.anna.fiscalCode]),
    );
    expect(delegated.errors).toBeUndefined();
  });

  it('audits anagrafe staff reads and refuses staff of other offices', async () => {
    const read = await t.citizenFields(
      PEOPLE.giulia.fiscalCode,
      `${RESIDENCE} ${DOCUMENTS}`,
      t.staff('anagrafe'),
    );
    expect(read.errors).toBeUndefined();
    expect(
      (await t.audited()).filter((entry) => entry.subjectFiscalCode === PEOPLE.giulia.fiscalCode),
    ).toEqual([
      expect.objectContaining({
        actorUsername: 'staff.anagrafe',
        action: 'read',
        resources: ['Citizen.residence', 'Citizen.identityDocuments'],
      }),
    ]);
    const refused = await t.citizenFields(PEOPLE.giulia.fiscalCode, RESIDENCE, t.staff('tributi'));
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    // Citizens reading their own data are not audited.
    await t.citizenFields(PEOPLE.paolo.fiscalCode, RESIDENCE, t.citizen(PEOPLE.paolo.fiscalCode));
    expect((await t.audited()).some((entry) => entry.subjectFiscalCode === PEOPLE.paolo.fiscalCode)).toBe(
      false,
    );
  });
});

describe('certificates', () => {
  const REQUEST = `mutation ($input: CertificateRequestInput!) {
    requestCertificate(input: $input) {
      certificate { id kinds holderName stampDuty stampDutyText validUntil verificationCode verificationUrl downloadUrl }
    }
  }`;

  it("tells an app on a citizen's grant which scope it lacks, for a read and for a request", async () => {
    const app = {
      kind: 'client' as const,
      comune: COMUNE,
      clientId: 'civic-app',
      scopes: ['tributi' as const],
      onBehalfOf: { fiscalCode: PEOPLE.mario.fiscalCode, actsFor: [] },
      tokenId: 'app-1',
    };
    const read = await t.citizenFields(PEOPLE.mario.fiscalCode, RESIDENCE, app);
    expect(read.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'SCOPE_REQUIRED',
      scope: 'anagrafe',
    });
    const request = await t.graphql(REQUEST, {
      as: app,
      variables: { input: { kinds: ['RESIDENCE'], use: 'uso privato', exemption: 'PENSION' } },
    });
    // A request is a change in the citizen's name: it needs the write scope.
    expect(request.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', scope: 'anagrafe:write' });
    expect(request.errors?.[0]?.message).toContain('"anagrafe:write" scope');
  });
  const VERIFY = `query ($code: String!) { verifyCertificate(code: $code) { kinds issuedOn validUntil valid holderName } }`;

  it('issues a certificate whose PDF downloads and whose code verifies publicly', async () => {
    const asMario = t.citizen(PEOPLE.mario.fiscalCode);
    const issued = await t.graphql(REQUEST, {
      as: asMario,
      variables: { input: { kinds: ['RESIDENCE', 'FAMILY'], use: 'uso privato', exemption: 'PENSION' } },
    });
    expect(issued.errors).toBeUndefined();
    const certificate = (issued.data?.['requestCertificate'] as { certificate: Record<string, string> })
      .certificate;
    expect(certificate).toMatchObject({
      kinds: ['RESIDENCE', 'FAMILY'],
      holderName: 'Mario Rossi',
      stampDuty: 'EXEMPT',
    });
    expect(certificate['validUntil']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(certificate['verificationUrl']).toBe(
      `https://comune.example/verifica-certificati?code=${certificate['verificationCode']}`,
    );
    // On the public origin: the gateway forwards it here.
    expect(certificate['downloadUrl']).toBe(
      `https://servizi.comune.example/certificates/${certificate['id']}.pdf`,
    );

    const pdf = await t.get(`/certificates/${certificate['id']}.pdf`, asMario);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(2000);

    const verified = await t.graphql(VERIFY, {
      variables: { code: certificate['verificationCode']!.toLowerCase() },
    });
    expect(verified.data?.['verifyCertificate']).toEqual({
      kinds: ['RESIDENCE', 'FAMILY'],
      issuedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) as unknown,
      validUntil: certificate['validUntil'],
      valid: true,
      holderName: 'Mario Rossi',
    });
    const unknown = await t.graphql(VERIFY, { variables: { code: 'AAAA-BBBB-CCCC' } });
    expect(unknown.data?.['verifyCertificate']).toBeNull();
    const page = await t.get(`/certificates/verify?code=${certificate['verificationCode']}`);
    expect(page.status).toBe(200);
    expect(Object.keys((await page.json()) as object).sort()).toEqual([
      'holderName',
      'issuedOn',
      'kinds',
      'valid',
      'validUntil',
    ]);

    // Nobody else downloads it; anonymous callers are told to sign in.
    expect(
      (await t.get(`/certificates/${certificate['id']}.pdf`, t.citizen(PEOPLE.paolo.fiscalCode))).status,
    ).toBe(403);
    expect((await t.get(`/certificates/${certificate['id']}.pdf`)).status).toBe(401);
    expect((await t.get(`/certificates/00000000-0000-4000-8000-000000000000.pdf`, asMario)).status).toBe(404);

    // Anagrafe staff may download it; the download is audited.
    expect((await t.get(`/certificates/${certificate['id']}.pdf`, t.staff('anagrafe'))).status).toBe(200);
    expect(await t.audited()).toContainEqual(
      expect.objectContaining({
        subjectFiscalCode: PEOPLE.mario.fiscalCode,
        resources: [`Certificate:${certificate['id']}`],
      }),
    );

    await t.settle();
    expect(t.events.filter((e) => e.type === 'certificate.issued').map((e) => e.data)).toContainEqual({
      certificateId: certificate['id'],
      requesterFiscalCode: PEOPLE.mario.fiscalCode,
      holderFiscalCode: PEOPLE.mario.fiscalCode,
      kinds: ['residence', 'family'],
      stampDuty: 'exempt',
      validUntil: certificate['validUntil'],
    });
  });

  it('issues for a family member, never for a stranger; birth certificates are exempt and never expire', async () => {
    const forChild = await t.graphql(REQUEST, {
      as: t.citizen(PEOPLE.chiara.fiscalCode),
      variables: {
        input: { holderFiscalCode: PEOPLE.luca.fiscalCode, kinds: ['BIRTH'], use: 'iscrizione sportiva' },
      },
    });
    expect(forChild.data?.['requestCertificate']).toMatchObject({
      certificate: { holderName: 'Luca Rossi', stampDuty: 'EXEMPT', validUntil: null },
    });
    const stranger = await t.graphql(REQUEST, {
      as: t.citizen(PEOPLE.paolo.fiscalCode),
      variables: {
        input: { holderFiscalCode: PEOPLE.mario.fiscalCode, kinds: ['RESIDENCE'], use: 'curiosità' },
      },
    });
    expect(codes(stranger)).toEqual(['FORBIDDEN']);
  });

  it('names the bad part of a request', async () => {
    const bad = await t.graphql(REQUEST, {
      as: t.citizen(PEOPLE.mario.fiscalCode),
      variables: { input: { kinds: [], use: 'x' } },
    });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors?.[0]?.message).toMatch(/kinds: .*use: /);
    const aire = await t.graphql(REQUEST, {
      as: t.citizen(PEOPLE.mario.fiscalCode),
      variables: { input: { kinds: ['RESIDENCE_AIRE'], use: 'uso estero' } },
    });
    expect(codes(aire)).toEqual(['CONFLICT']);
  });
});

describe('staff queries', () => {
  const SEARCH = `query ($q: String!, $after: String) { searchResidents(query: $q, first: 2, after: $after) {
    totalCount nodes { fiscalCode familyName givenName } pageInfo { endCursor hasNextPage } } }`;

  it('searches residents by name, address or fiscal code with a cursor, audited', async () => {
    const asStaff = t.staff('anagrafe');
    const first = await t.graphql(SEARCH, { as: asStaff, variables: { q: 'rossi' } });
    const page1 = first.data?.['searchResidents'] as {
      totalCount: number;
      nodes: { givenName: string }[];
      pageInfo: { endCursor: string; hasNextPage: boolean };
    };
    expect(page1.nodes.map((n) => n.givenName)).toEqual(['Anna', 'Luca']);
    expect(page1.totalCount).toBe(3);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await t.graphql(SEARCH, {
      as: asStaff,
      variables: { q: 'rossi', after: page1.pageInfo.endCursor },
    });
    const page2 = second.data?.['searchResidents'] as typeof page1;
    expect(page2.nodes.map((n) => n.givenName)).toEqual(['Mario']);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect(page2.totalCount).toBe(3);

    const byStreet = await t.graphql(SEARCH, { as: asStaff, variables: { q: 'via roma 14' } });
    expect((byStreet.data?.['searchResidents'] as typeof page1).nodes).toEqual([
      { fiscalCode: PEOPLE.paolo.fiscalCode, familyName: 'Bianchi', givenName: 'Paolo' },
    ]);
    const byCode = await t.graphql(SEARCH, { as: asStaff, variables: { q: PEOPLE.giulia.fiscalCode } });
    expect((byCode.data?.['searchResidents'] as typeof page1).nodes).toHaveLength(1);
    expect(
      (await t.audited()).some(
        (e) => e.action === 'search' && e.subjectFiscalCode === PEOPLE.giulia.fiscalCode,
      ),
    ).toBe(true);

    expect(
      codes(await t.graphql(SEARCH, { as: t.citizen(PEOPLE.mario.fiscalCode), variables: { q: 'rossi' } })),
    ).toEqual(['FORBIDDEN']);
    const garbage = await t.graphql(SEARCH, { as: asStaff, variables: { q: 'rossi', after: 'garbage' } });
    expect(garbage.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    // The platform's page limit: 100 at most.
    const tooMany = await t.graphql(`{ searchResidents(query: "rossi", first: 101) { totalCount } }`, {
      as: asStaff,
    });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('lists residents of zones for the notifier, page by page', async () => {
    const ZONES = `query ($after: String) { residentsInZones(zones: ["centro"], first: 2, after: $after) {
      nodes { fiscalCode zone } pageInfo { endCursor hasNextPage } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const answer = await t.graphql(ZONES, { as: t.servicePrincipal('notifier'), variables: { after } });
      const page = answer.data?.['residentsInZones'] as {
        nodes: { fiscalCode: string; zone: string }[];
        pageInfo: { endCursor: string | null; hasNextPage: boolean };
      };
      seen.push(...page.nodes.map((n) => n.fiscalCode));
      expect(page.nodes.every((n) => n.zone === 'centro')).toBe(true);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const expected = [PEOPLE.mario, PEOPLE.chiara, PEOPLE.luca, PEOPLE.anna, PEOPLE.paolo]
      .map((p) => p.fiscalCode)
      .sort();
    expect(seen).toEqual(expected);
    // Resuming after a fiscal code (the notifier's recorded progress) continues from the next one.
    const resumed = await t.graphql(
      `query ($after: String) { residentsInZones(zones: ["centro"], after: $after) {
        totalCount edges { cursor node { fiscalCode } } } }`,
      { as: t.servicePrincipal('notifier'), variables: { after: expected[1] } },
    );
    expect(resumed.data?.['residentsInZones']).toEqual({
      totalCount: 5,
      edges: expected.slice(2).map((fiscalCode) => ({ cursor: fiscalCode, node: { fiscalCode } })),
    });
    // The notifier's query shape: a nullable list variable; null lists the whole comune.
    const WHOLE = `query ($zones: [String!], $first: Int!, $after: String) {
      residentsInZones(zones: $zones, first: $first, after: $after) { nodes { fiscalCode } pageInfo { hasNextPage endCursor } } }`;
    const whole = await t.graphql(WHOLE, {
      as: t.servicePrincipal('notifier'),
      variables: { zones: null, first: 100 },
    });
    const everyone = (whole.data?.['residentsInZones'] as { nodes: { fiscalCode: string }[] }).nodes.map(
      (n) => n.fiscalCode,
    );
    expect(everyone).toEqual(expect.arrayContaining(Object.values(PEOPLE).map((p) => p.fiscalCode)));
    expect(everyone).toEqual([...everyone].sort());
    const fiume = await t.graphql(WHOLE, {
      as: t.servicePrincipal('notifier'),
      variables: { zones: ['fiume'], first: 100 },
    });
    expect((fiume.data?.['residentsInZones'] as { nodes: unknown[] }).nodes).toEqual([
      { fiscalCode: PEOPLE.giulia.fiscalCode },
    ]);
    expect(codes(await t.graphql(ZONES, { as: t.citizen(PEOPLE.mario.fiscalCode) }))).toEqual(['FORBIDDEN']);
    expect(codes(await t.graphql(ZONES, { as: t.servicePrincipal('practices') }))).toEqual(['FORBIDDEN']);
    expect((await t.graphql(ZONES, { as: t.staff('civil-protection') })).errors).toBeUndefined();
    // The one larger page limit, for the notifier's recipients: 1000, beyond it refused naming first.
    const big = await t.graphql(WHOLE, { as: t.servicePrincipal('notifier'), variables: { first: 1000 } });
    expect(big.errors).toBeUndefined();
    const tooBig = await t.graphql(WHOLE, { as: t.servicePrincipal('notifier'), variables: { first: 1001 } });
    expect(tooBig.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('records a CIE with the expiry the age at issue gives', async () => {
    const answer = await t.graphql(
      `mutation ($input: IdentityDocumentInput!) { recordIdentityDocument(input: $input) { kind expiresOn printedExpiresOn } }`,
      {
        as: t.staff('anagrafe'),
        variables: {
          input: {
            holderFiscalCode: PEOPLE.mario.fiscalCode,
            kind: 'CIE',
            number: 'CA99999ZZ',
            issuedOn: '2020-05-11',
          },
        },
      },
    );
    expect(answer.data?.['recordIdentityDocument']).toEqual({
      kind: 'CIE',
      expiresOn: '2030-05-10',
      printedExpiresOn: '2030-05-10',
    });
  });

  it('registers a newborn into a family: resident.registered with the zone, and the parents read the record', async () => {
    const birthDate = today();
    const input = newbornDaughter('Sofia', birthDate);
    const { fiscalCode } = input;
    expect(
      codes(await t.graphql(REGISTER, { as: t.citizen(PEOPLE.mario.fiscalCode), variables: { input } })),
    ).toEqual(['FORBIDDEN']);
    const registered = await t.graphql(REGISTER, { as: t.staff('anagrafe'), variables: { input } });
    expect(registered.data?.['registerResident']).toEqual({ fiscalCode });
    expect(codes(await t.graphql(REGISTER, { as: t.staff('anagrafe'), variables: { input } }))).toEqual([
      'CONFLICT',
    ]);
    const wrong = await t.graphql(REGISTER, {
      as: t.staff('anagrafe'),
      variables: { input: { ...input, sex: 'M' } },
    });
    expect(wrong.errors?.[0]?.message).toMatch(/^(fiscalCode|sex)/);

    await t.settle();
    expect(t.events.filter((e) => e.type === 'resident.registered').map((e) => e.data)).toContainEqual({
      residentId: expect.any(String) as unknown,
      fiscalCode,
      zone: 'centro',
      effectiveFrom: birthDate,
    });
    const read = await t.citizenFields(
      fiscalCode,
      'residence { givenName }',
      t.citizen(PEOPLE.mario.fiscalCode),
    );
    expect(entity(read)['residence']).toEqual({ givenName: 'Sofia' });
  });
});

describe('refusing bad registry data, nothing written', () => {
  const RECORD = `mutation ($input: IdentityDocumentInput!) { recordIdentityDocument(input: $input) { number valid } }`;

  function refusal(answer: GraphQLAnswer) {
    return {
      code: answer.errors?.[0]?.extensions?.['code'],
      field: answer.errors?.[0]?.extensions?.['field'],
    };
  }

  it('refuses a CIE issued in the future: it would count as valid before it exists', async () => {
    const documentsOfPaolo = async () => {
      const answer = await t.citizenFields(
        PEOPLE.paolo.fiscalCode,
        'identityDocuments { number }',
        t.citizen(PEOPLE.paolo.fiscalCode),
      );
      return entity(answer)['identityDocuments'] as { number: string }[];
    };
    const before = await documentsOfPaolo();
    const input = { holderFiscalCode: PEOPLE.paolo.fiscalCode, kind: 'CIE', number: 'CA77777FF' };
    const future = await t.graphql(RECORD, {
      as: t.staff('anagrafe'),
      variables: { input: { ...input, issuedOn: addDays(today(), 30) } },
    });
    expect(refusal(future)).toEqual({ code: 'BAD_USER_INPUT', field: 'issuedOn' });
    expect(future.errors?.[0]?.message).toMatch(/^issuedOn: /);
    expect(await documentsOfPaolo()).toEqual(before);

    // Issued today it is recorded, and valid.
    const issued = await t.graphql(RECORD, {
      as: t.staff('anagrafe'),
      variables: { input: { ...input, issuedOn: today() } },
    });
    expect(issued.data?.['recordIdentityDocument']).toEqual({ number: 'CA77777FF', valid: true });
  });

  it('does not count as valid a card already stored with an issue date still to come', async () => {
    const em = t.service.database.fork({ comune: COMUNE });
    em.create(IdentityDocumentEntity, {
      comune: COMUNE,
      holderFiscalCode: PEOPLE.giulia.fiscalCode,
      kind: 'CIE',
      number: 'CA88888GG',
      issuedOn: addDays(today(), 10),
      printedExpiresOn: addDays(today(), 3660),
      expiresOn: addDays(today(), 3660),
      replacedAt: null,
    });
    await em.flush();
    const answer = await t.citizenFields(
      PEOPLE.giulia.fiscalCode,
      'identityDocuments { number valid }',
      t.citizen(PEOPLE.giulia.fiscalCode),
    );
    expect(entity(answer)['identityDocuments']).toContainEqual({ number: 'CA88888GG', valid: false });
  });

  it('refuses an empty house number, a birthplace the fiscal code contradicts and a second head of a family', async () => {
    const birthDate = addDays(today(), -3);
    const input = newbornDaughter('Marta', birthDate);
    const { fiscalCode } = input;
    const register = (changes: Record<string, unknown>) =>
      t.graphql(REGISTER, { as: t.staff('anagrafe'), variables: { input: { ...input, ...changes } } });

    expect(refusal(await register({ number: '' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'number' });
    expect(refusal(await register({ number: '   ' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'number' });
    const elsewhere = await register({ birthPlaceCode: 'H501', birthPlaceName: 'Roma' });
    expect(refusal(elsewhere)).toEqual({ code: 'BAD_USER_INPUT', field: 'birthPlaceCode' });
    expect(elsewhere.errors?.[0]?.message).toMatch(/fiscal code says .* D969, not H501/);
    const secondHead = await register({ relationship: 'HEAD' });
    expect(refusal(secondHead)).toEqual({ code: 'BAD_USER_INPUT', field: 'relationship' });
    expect(secondHead.errors?.[0]?.message).toMatch(/F0001 already has a head/);

    // None of them was written: the family still has one head and the person can be registered.
    const family = async () =>
      (
        entity(
          await t.citizenFields(
            PEOPLE.mario.fiscalCode,
            'family { members { fiscalCode relationship } }',
            t.citizen(PEOPLE.mario.fiscalCode),
          ),
        )['family'] as { members: { fiscalCode: string; relationship: string }[] }
      ).members;
    expect((await family()).filter((m) => m.relationship === 'HEAD')).toHaveLength(1);
    expect((await family()).map((m) => m.fiscalCode)).not.toContain(fiscalCode);
    expect((await register({})).data?.['registerResident']).toEqual({ fiscalCode });
    expect((await family()).filter((m) => m.relationship === 'HEAD')).toHaveLength(1);
  });
});
