import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHER_COMUNE, startHarness, type Harness } from '../../test-support/harness.js';

const hours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
const PUBLIC = 'public, max-age=5, stale-while-revalidate=5';

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('feed caching over HTTP', () => {
  let h: Harness;
  let staff: string;

  beforeAll(async () => {
    h = await startHarness('sqlite');
    staff = await h.staffBearer();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function issueAlert(): Promise<string> {
    const issued = await h.graphql<{ issueAlert: { id: string } }>(
      `mutation($input: IssueAlertInput!) { issueAlert(input: $input) { id } }`,
      {
        input: {
          hazard: 'HYDRAULIC',
          colour: 'ORANGE',
          zoneCodes: ['Z1'],
          validFrom: hours(-1),
          validUntil: hours(12),
          instructions: 'Evitare i sottopassi.',
        },
      },
      staff,
    );
    expect(issued.errors).toBeUndefined();
    return issued.data!.issueAlert.id;
  }

  it('serves every feed with public Cache-Control and an ETag, and 304 while it holds', async () => {
    const id = await issueAlert();
    for (const path of [
      '/feeds/alerts.atom',
      `/feeds/alert.cap.xml?id=${id}`,
      '/feeds/emergency-areas.geojson',
    ]) {
      const first = await get(`${h.url}${path}`);
      expect(first.status, path).toBe(200);
      expect(first.headers.get('cache-control'), path).toBe(PUBLIC);
      expect(first.headers.get('vary'), path).toBe('x-comune');
      const etag = first.headers.get('etag');
      expect(etag, path).toMatch(/^"[\w-]+"$/);

      const again = await get(`${h.url}${path}`, { 'if-none-match': etag! });
      expect(again.status, path).toBe(304);
      expect(again.text, path).toBe('');
      expect(again.headers.get('etag'), path).toBe(etag);
      expect(again.headers.get('cache-control'), path).toBe(PUBLIC);

      const other = await get(`${h.url}${path}`, { 'if-none-match': '"something-else"' });
      expect(other.status, path).toBe(200);
      expect(other.text, path).toBe(first.text);
    }
  });

  it('changes the ETag of the CAP document and the index when the alert changes', async () => {
    const id = await issueAlert();
    const cap = await get(`${h.url}/feeds/alert.cap.xml?id=${id}`);
    const index = await get(`${h.url}/feeds/alerts.atom`);
    const updated = await h.graphql(
      `mutation($id: ID!) { updateAlert(id: $id, input: { colour: RED }) { colour } }`,
      { id },
      staff,
    );
    expect(updated.errors).toBeUndefined();

    const capAfter = await get(`${h.url}/feeds/alert.cap.xml?id=${id}`, {
      'if-none-match': cap.headers.get('etag')!,
    });
    expect(capAfter.status).toBe(200);
    expect(capAfter.text).toContain('<msgType>Update</msgType>');
    expect(capAfter.headers.get('etag')).not.toBe(cap.headers.get('etag'));
    const indexAfter = await get(`${h.url}/feeds/alerts.atom`, {
      'if-none-match': index.headers.get('etag')!,
    });
    expect(indexAfter.status).toBe(200);
    expect(indexAfter.headers.get('etag')).not.toBe(index.headers.get('etag'));
  });

  it('keeps comuni apart and never marks a missing alert cacheable', async () => {
    const own = await get(`${h.url}/feeds/alerts.atom`);
    const other = await get(`${h.url}/feeds/alerts.atom?comune=${OTHER_COMUNE}`, {
      'if-none-match': own.headers.get('etag')!,
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(own.headers.get('etag'));

    const missing = await get(`${h.url}/feeds/alert.cap.xml?id=0196aaaa-0000-7000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).toBe('no-store');
    expect(missing.headers.get('etag')).toBeNull();
  });
});
