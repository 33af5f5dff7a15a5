import { createHash } from 'node:crypto';
import { createInternalAssertions, INTERNAL_ASSERTION_HEADER } from '@sportello/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_BYTES, MAX_DOCUMENTS_PER_ORDINANCE } from './domain/ordinance-documents.js';
import { plainTextPdf } from './seed/plain-text-pdf.js';
import { COMUNE, OTHER_COMUNE, harnessForSuite, startHarness, type Harness } from './test-support/harness.js';
import { pdfOfSize } from './test-support/pdf.js';

/**
 * Staff upload an ordinance's signed PDF as it is (`POST /ordinance-documents`), beyond what fits
 * base64 in a GraphQL body: the same checks and fingerprint as the mutation, published with the
 * ordinance and served byte for byte; refusals in JSON naming what is wrong.
 */

const PUBLIC = 'https://servizi.comune.example';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Answer {
  status: number;
  body: {
    document?: Record<string, unknown>;
    error?: { code: string; message: string; field?: string; reason?: string };
  };
}

/** What is needed to publish a draft: a protocol number and an adoption date. */
const DRAFT = {
  subject: 'Sgombero dei locali interrati lungo il torrente',
  legalBasis: 'TUEL_ART_54_C4',
  reasons: 'Allerta rossa per rischio idraulico',
  measures: ['Divieto di accesso ai locali interrati'],
  effectiveFrom: new Date(Date.now() - 3_600_000).toISOString(),
  effectiveUntil: new Date(Date.now() + 48 * 3_600_000).toISOString(),
  scopeKind: 'ZONES',
  zoneCodes: ['Z2'],
  enforcingBody: 'Polizia Locale',
  protocolNumber: '2026/0005151',
  adoptedOn: new Date().toISOString().slice(0, 10),
};

describe.each(['sqlite', 'postgresql'] as const)('ordinance document upload route (%s)', (driver) => {
  let h: Harness;
  let staff: string;
  harnessForSuite(driver, (started, bearer) => {
    h = started;
    staff = bearer;
  });

  async function draft(): Promise<string> {
    const created = await h.graphql<{ createOrdinanceDraft: { id: string } }>(
      `mutation($input: OrdinanceDraftInput!) { createOrdinanceDraft(input: $input) { id } }`,
      { input: DRAFT },
      staff,
    );
    expect(created.errors).toBeUndefined();
    return created.data!.createOrdinanceDraft.id;
  }

  async function upload(
    ordinanceId: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options: { bearer?: string | null; contentType?: string; title?: string; fileName?: string } = {},
  ): Promise<Answer> {
    const query = new URLSearchParams({
      ordinanceId,
      title: options.title ?? 'Testo dell’ordinanza firmato digitalmente',
      fileName: options.fileName ?? 'ordinanza-sgombero.pdf',
    });
    const bearer = options.bearer === undefined ? staff : options.bearer;
    const response = await fetch(`${h.url}/ordinance-documents?${query}`, {
      method: 'POST',
      headers: {
        'content-type': options.contentType ?? 'application/pdf',
        ...(bearer === null ? {} : { authorization: bearer }),
      },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  }

  /** The documents of a draft, as staff see them. */
  async function documentsOf(ordinanceId: string) {
    const read = await h.graphql<{ ordinance: { documents: Array<{ id: string; sha256: string }> } }>(
      `query($id: ID!) { ordinance(id: $id) { documents { id sha256 } } }`,
      { id: ordinanceId },
      staff,
    );
    expect(read.errors).toBeUndefined();
    return read.data!.ordinance.documents;
  }

  async function publish(ordinanceId: string) {
    const published = await h.graphql<{
      publishOrdinance: { documents: Array<{ id: string; url: string; sha256: string; bytes: number }> };
    }>(
      `mutation($id: ID!) { publishOrdinance(id: $id) { documents { id url sha256 bytes } } }`,
      { id: ordinanceId },
      staff,
    );
    expect(published.errors).toBeUndefined();
    return published.data!.publishOrdinance.documents;
  }

  it('takes a 2 MB signed PDF as it is: described as the GraphQL type does, served byte for byte once published', async () => {
    const ordinanceId = await draft();
    const pdf = pdfOfSize(2 * 1024 * 1024);
    const attached = await upload(ordinanceId, pdf);
    expect(attached.status).toBe(201);
    const document = attached.body.document!;
    expect(document).toEqual({
      id: expect.any(String),
      title: 'Testo dell’ordinanza firmato digitalmente',
      fileName: 'ordinanza-sgombero.pdf',
      mediaType: 'application/pdf',
      bytes: pdf.length,
      sha256: sha256(pdf),
      uploadedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      url: null,
    });
    // Sent again (a retry): the same document, nothing added.
    const again = await upload(ordinanceId, pdf);
    expect(again).toMatchObject({ status: 200, body: { document: { id: document['id'] } } });
    expect(await documentsOf(ordinanceId)).toEqual([{ id: document['id'], sha256: sha256(pdf) }]);
    // Not public while a draft.
    expect((await fetch(`${h.url}/feeds/ordinance-document.pdf?id=${String(document['id'])}`)).status).toBe(
      404,
    );

    const [published] = await publish(ordinanceId);
    expect(published).toMatchObject({ id: document['id'], sha256: sha256(pdf), bytes: pdf.length });
    expect(published!.url).toBe(
      `${PUBLIC}/feeds/ordinance-document.pdf?id=${String(document['id'])}&comune=${COMUNE}`,
    );
    const served = await fetch(`${h.url}${published!.url.slice(PUBLIC.length)}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('application/pdf');
    expect(served.headers.get('digest')).toBe(`sha-256=${createHash('sha256').update(pdf).digest('base64')}`);
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.equals(pdf)).toBe(true);
    expect(sha256(bytes)).toBe(document['sha256']);
  });

  it('refuses what is not a PDF, or declared as another type, naming it as every upload route does, and stores nothing', async () => {
    const ordinanceId = await draft();
    const pdf = plainTextPdf(['Ordinanza di prova']);
    const wrongType = await upload(ordinanceId, pdf, { contentType: 'image/png' });
    expect(wrongType).toMatchObject({
      status: 415,
      body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', field: 'content-type' } },
    });
    expect(wrongType.body.error!.message).toBe(
      'The content is application/pdf but was declared as image/png',
    );

    const word = Buffer.concat([Buffer.from('PK\x03\x04word/document.xml', 'latin1'), Buffer.alloc(4096)]);
    const notPdf = await upload(ordinanceId, word);
    expect(notPdf).toMatchObject({
      status: 415,
      body: {
        error: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          field: 'body',
          message: 'The content is not an accepted file type (accepted: application/pdf)',
        },
      },
    });
    // Cut short: the start of a PDF without its end.
    const truncated = await upload(ordinanceId, pdf.subarray(0, pdf.length - 200));
    expect(truncated).toMatchObject({
      status: 415,
      body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', field: 'body' } },
    });
    expect(truncated.body.error!.message).toMatch(/cut short/);

    const empty = await upload(ordinanceId, Buffer.alloc(0));
    expect(empty).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_USER_INPUT', field: 'body', message: 'The file is empty' } },
    });
    const untitled = await upload(ordinanceId, pdf, { title: '  ' });
    expect(untitled).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_USER_INPUT', field: 'title' } },
    });
    expect(untitled.body.error!.message).toMatch(/title/);
    for (const fileName of ['', 'atti/ordinanza.pdf', 'C:\\scansioni\\ordinanza.pdf']) {
      const badName = await upload(ordinanceId, pdf, { fileName });
      expect(badName, fileName).toMatchObject({
        status: 400,
        body: {
          error: {
            code: 'BAD_USER_INPUT',
            field: 'fileName',
            message: 'fileName must be 1-255 characters without slashes',
          },
        },
      });
    }
    expect(await documentsOf(ordinanceId)).toEqual([]);

    const missing = await upload('', pdf);
    expect(missing).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_USER_INPUT', field: 'ordinanceId' } },
    });

    // A generic or missing declared type is no refusal: the content says what the file is.
    const generic = await upload(ordinanceId, pdf, { contentType: 'application/octet-stream' });
    expect(generic.status).toBe(201);
    const untyped = await upload(ordinanceId, plainTextPdf(['Allegato']), { contentType: '' });
    expect(untyped.status).toBe(201);
    expect(await documentsOf(ordinanceId)).toHaveLength(2);
  });

  it('refuses a file over 10 MiB with 413, declared or streamed, and stores nothing', async () => {
    const ordinanceId = await draft();
    const huge = pdfOfSize(MAX_DOCUMENT_BYTES + 1);
    expect(huge.length).toBeGreaterThan(MAX_DOCUMENT_BYTES);
    const declared = await upload(ordinanceId, huge);
    expect(declared).toMatchObject({
      status: 413,
      body: {
        error: {
          code: 'PAYLOAD_TOO_LARGE',
          field: 'body',
          message: `The file exceeds the limit of ${MAX_DOCUMENT_BYTES} bytes`,
        },
      },
    });
    // Without a Content-Length: refused once the limit is passed, in chunks of 1 MiB.
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= huge.length) return controller.close();
        const chunk = huge.subarray(sent, sent + 1024 * 1024);
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const streamed = await upload(ordinanceId, stream);
    expect(streamed).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    expect(await documentsOf(ordinanceId)).toEqual([]);
  });

  it('lets only civil-protection staff of the comune upload', async () => {
    const ordinanceId = await draft();
    const pdf = plainTextPdf(['Ordinanza riservata']);
    const anonymous = await upload(ordinanceId, pdf, { bearer: null });
    expect(anonymous).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    const citizen = await upload(ordinanceId, pdf, { bearer: await h.citizenBearer() });
    expect(citizen).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    const anagrafe = await upload(ordinanceId, pdf, { bearer: await h.staffBearer(['anagrafe']) });
    expect(anagrafe).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    // Civil-protection staff of another comune do not see this comune's drafts.
    const elsewhere = await upload(ordinanceId, pdf, {
      bearer: await h.staffBearer(['civil-protection'], OTHER_COMUNE),
    });
    expect(elsewhere).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await documentsOf(ordinanceId)).toEqual([]);
  });

  it('refuses unknown and published ordinances, and a 21st document', async () => {
    const pdf = plainTextPdf(['Ordinanza']);
    const unknown = await upload('0b9e3c2a-5d1f-4c6e-9a7b-000000000000', pdf);
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });

    const ordinanceId = await draft();
    for (let n = 0; n < MAX_DOCUMENTS_PER_ORDINANCE; n++) {
      const annex = await upload(ordinanceId, plainTextPdf([`Allegato ${n + 1}`]), {
        title: `Allegato ${n + 1}`,
        fileName: `allegato-${n + 1}`,
      });
      expect(annex.status).toBe(201);
      if (n === 0) expect(annex.body.document!['fileName']).toBe('allegato-1.pdf');
    }
    const tooMany = await upload(ordinanceId, plainTextPdf(['Allegato in più']));
    expect(tooMany).toMatchObject({
      status: 409,
      body: { error: { code: 'CONFLICT', reason: 'TOO_MANY_DOCUMENTS' } },
    });

    await publish(ordinanceId);
    const late = await upload(ordinanceId, plainTextPdf(['Dopo la pubblicazione']));
    expect(late).toMatchObject({
      status: 409,
      body: { error: { code: 'CONFLICT', reason: 'ORDINANCE_PUBLISHED' } },
    });
    expect(late.body.error!.message).toContain('correcting ordinance');
    expect(await documentsOf(ordinanceId)).toHaveLength(MAX_DOCUMENTS_PER_ORDINANCE);
  });
});

describe('ordinance document upload route behind the trust boundary', () => {
  const secret = 'civil-protection-upload-test-internal-secret';
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('sqlite', { internalSecret: secret });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers only calls the gateway signed, whatever token they carry', async () => {
    const url = `${h.url}/ordinance-documents?ordinanceId=0b9e3c2a-5d1f-4c6e-9a7b-000000000000&title=T&fileName=a.pdf`;
    const init = async (headers: Record<string, string> = {}) => ({
      method: 'POST',
      headers: { 'content-type': 'application/pdf', authorization: await h.staffBearer(), ...headers },
      body: plainTextPdf(['Ordinanza']),
    });
    const direct = await fetch(url, await init());
    expect(direct.status).toBe(401);
    expect(await direct.json()).toMatchObject({ reason: 'INTERNAL_ASSERTION_REQUIRED' });
    const gateway = createInternalAssertions({ secret, caller: 'gateway' });
    const signed = await fetch(url, await init({ [INTERNAL_ASSERTION_HEADER]: gateway.current() }));
    expect(signed.status).toBe(404);
  });
});
