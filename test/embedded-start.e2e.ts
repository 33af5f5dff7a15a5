import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '@sportello/hub';
import { devToken, graphql } from './support/graphql-client.js';
import { startHubProcess, type HubProcess } from './support/hub-process.js';

/** `npm start`, as a person runs it: the embedded hub in one process with its demo comune. */
describe('embedded start', () => {
  let dataDir: string;
  let hub: HubProcess;
  let api: string;
  let identity: string;

  const start = async () => {
    hub = startHubProcess('embedded', {
      PORT: '0',
      SMTP_PORT: '0',
      DATA_DIR: dataDir,
      DEMO_HOUSEHOLDS: '300',
      // The gateway's own settings, set on the hub: its gateway applies them.
      GATEWAY_MAX_ALIASES: '8',
    });
    const output = await hub.waitFor('Sportello is up.');
    api = /GraphQL API\s+(\S+)/.exec(output)![1]!;
    identity = /demo tokens\s+POST (\S+)\/auth\/dev\/token/.exec(output)![1]!;
    return output;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sportello-embedded-'));
    await start();
  });

  afterAll(async () => {
    await hub?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints where everything is and generates the demo comune with visible progress', () => {
    const output = hub.output();
    expect(output).toMatch(/identity: \d+\/\d+ citizens/);
    expect(output).toContain('health');
    expect(output).toContain('mailbox');
  });

  it('answers GET /health with 200 once every service is up, and /ready lists them', async () => {
    const base = api.replace(/\/graphql$/, '');
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const ready = (await (await fetch(`${base}/ready`)).json()) as {
      ready: boolean;
      subgraphs: Array<{ name: string; ready: boolean }>;
    };
    expect(ready.ready).toBe(true);
    expect(ready.subgraphs.map((s) => s.name)).toEqual(
      expect.arrayContaining(['identity', 'civil-protection']),
    );
  });

  it('serves a seeded citizen their own data through the gateway, and nothing of it anonymously', async () => {
    const citizen = await devToken(identity, { kind: 'citizen' });
    const mine = await graphql<{ me: { fiscalCode: string; givenName: string } }>(
      api,
      '{ me { fiscalCode givenName } }',
      { token: citizen.access_token },
    );
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.me.fiscalCode).toBe(citizen.subject);
    expect(mine.data?.me.givenName).toMatch(/^[A-Z][a-z]+$/);

    const anonymous = await graphql(api, `{ citizen(fiscalCode: "${citizen.subject}") { givenName } }`);
    expect(anonymous.data?.citizen ?? null).toBeNull();
    expect(anonymous.errors?.[0]?.extensions?.code).toMatch(/UNAUTHENTICATED|FORBIDDEN/);
  });

  it("answers a citizen's overview from identity, anagrafe and tributi in one query, and refuses another citizen's", async () => {
    const citizen = await devToken(identity, { kind: 'citizen' });
    const overview = await graphql<{
      me: {
        fiscalCode: string;
        givenName: string;
        residence: { address: { street: string; zone: string } } | null;
        identityDocuments: Array<{ kind: string; expiresOn: string }>;
        paymentPositions: {
          totalCount: number;
          nodes: Array<{ payerFiscalCode: string; amountCents: number }>;
        };
      };
    }>(
      api,
      `
        {
          me {
            fiscalCode
            givenName
            residence {
              address {
                street
                zone
              }
            }
            identityDocuments {
              kind
              expiresOn
            }
            paymentPositions(first: 5) {
              totalCount
              nodes {
                payerFiscalCode
                amountCents
              }
            }
          }
        }
      `,
      { token: citizen.access_token },
    );
    expect(overview.errors).toBeUndefined();
    const me = overview.data!.me;
    expect(me.fiscalCode).toBe(citizen.subject);
    expect(me.residence?.address.street).toBeTruthy();
    expect(['centro', 'fiume', 'collina', 'frazione-nord']).toContain(me.residence?.address.zone);
    expect(me.paymentPositions.nodes.every((p) => p.payerFiscalCode === citizen.subject)).toBe(true);

    // Another resident of the same (deterministically generated) comune is not theirs to read.
    const people = generatePopulation({ households: 300 }).people;
    const household = people.find((person) => person.fiscalCode === citizen.subject)?.householdId;
    expect(household).toBeDefined();
    const stranger = people.find((person) => person.householdId !== household)!;
    const refused = await graphql<{ citizen: unknown }>(
      api,
      `{ citizen(fiscalCode: "${stranger.fiscalCode}") { residence { civilStatus } } }`,
      { token: citizen.access_token },
    );
    expect(refused.data?.citizen ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('issues a certificate through the gateway whose PDF downloads and whose code anyone can verify', async () => {
    const citizen = await devToken(identity, { kind: 'citizen' });
    const issued = await graphql<{
      requestCertificate: {
        certificate: { verificationCode: string; downloadUrl: string; holderFiscalCode: string };
      };
    }>(
      api,
      `
        mutation {
          requestCertificate(input: { kinds: [RESIDENCE, FAMILY], use: "uso privato", exemption: PENSION }) {
            certificate {
              verificationCode
              downloadUrl
              holderFiscalCode
            }
          }
        }
      `,
      { token: citizen.access_token },
    );
    expect(issued.errors).toBeUndefined();
    const certificate = issued.data!.requestCertificate.certificate;
    expect(certificate.holderFiscalCode).toBe(citizen.subject);

    const pdf = await fetch(certificate.downloadUrl, {
      headers: { authorization: `Bearer ${citizen.access_token}` },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toContain('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const stranger = await fetch(certificate.downloadUrl);
    expect(stranger.status).toBe(401);

    // Anyone may verify the code, and learns only what the certificate says.
    const verified = await graphql<{
      verifyCertificate: { kinds: string[]; valid: boolean; holderName: string };
    }>(api, `{ verifyCertificate(code: "${certificate.verificationCode}") { kinds valid holderName } }`);
    expect(verified.errors).toBeUndefined();
    expect(verified.data?.verifyCertificate).toMatchObject({ kinds: ['RESIDENCE', 'FAMILY'], valid: true });
    const forged = await graphql<{ verifyCertificate: unknown }>(
      api,
      `{ verifyCertificate(code: "${certificate.verificationCode.slice(0, -2)}XX") { valid } }`,
    );
    expect(forged.data?.verifyCertificate ?? null).toBeNull();
  });

  it('serves public civil-protection data to anonymous callers', async () => {
    const result = await graphql<{
      activeAlerts: { nodes: Array<{ id: string }> };
      ordinances: { nodes: Array<{ status: string; number: number | null; subject: string }> };
      nearestEmergencyAreas: Array<{ distanceMeters: number; area: { kind: string } }>;
    }>(
      api,
      `
        {
          activeAlerts {
            nodes {
              id
            }
          }
          ordinances {
            nodes {
              status
              number
              subject
            }
          }
          nearestEmergencyAreas(latitude: 44.697, longitude: 7.856, kind: WAITING) {
            distanceMeters
            area {
              kind
            }
          }
        }
      `,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.activeAlerts.nodes).toEqual([]);
    // The demo plan has one published ordinance; drafts are never shown to anonymous callers.
    expect(result.data?.ordinances.nodes.length).toBeGreaterThan(0);
    expect(result.data?.ordinances.nodes.every((o) => o.status === 'PUBLISHED' && o.number !== null)).toBe(
      true,
    );
    const areas = result.data!.nearestEmergencyAreas;
    expect(areas.length).toBeGreaterThan(0);
    expect(areas.every((a) => a.area.kind === 'WAITING')).toBe(true);
    expect(areas.map((a) => a.distanceMeters)).toEqual(
      [...areas.map((a) => a.distanceMeters)].sort((x, y) => x - y),
    );
  });

  it('applies the gateway settings given to the hub (GATEWAY_MAX_ALIASES) and names the limit', async () => {
    const aliases = (count: number) =>
      `{ ${Array.from({ length: count }, (_, i) => `a${i}: activeAlerts { totalCount }`).join(' ')} }`;
    const within = await graphql(api, aliases(8));
    expect(within.errors).toBeUndefined();
    const over = await graphql(api, aliases(9));
    expect(over.data).toBeUndefined();
    expect(over.errors).toEqual([
      expect.objectContaining({
        message: 'Number of aliased fields 9 exceeds the limit of 8 (maxAliases)',
        extensions: expect.objectContaining({
          code: 'GRAPHQL_VALIDATION_FAILED',
          limit: { name: 'maxAliases', max: 8, actual: 9 },
        }) as unknown,
      }),
    ]);
  });

  it("keeps identity's signing keys sealed at rest, with a key-encryption key only its owner can read", async () => {
    const key = await stat(join(dataDir, 'identity-key-encryption.key'));
    expect(key.mode & 0o777).toBe(0o600);
    const db = new DatabaseSync(join(dataDir, 'identity.db'), { readOnly: true });
    try {
      const keys = db.prepare('select private_jwk from signing_key').all() as Array<{ private_jwk: string }>;
      expect(keys.length).toBeGreaterThan(0);
      for (const { private_jwk } of keys) {
        expect(JSON.parse(private_jwk)).toMatchObject({ sealed: 'A256GCM' });
        expect(private_jwk).not.toMatch(/"d":/);
      }
    } finally {
      db.close();
    }
  });

  it('keeps what citizens changed across a restart', async () => {
    const citizen = await devToken(identity, { kind: 'citizen' });
    const changed = await graphql<{ setPreferredLanguage: { preferredLanguage: string } }>(
      api,
      'mutation { setPreferredLanguage(language: DE) { preferredLanguage } }',
      { token: citizen.access_token },
    );
    expect(changed.errors).toBeUndefined();
    expect(changed.data?.setPreferredLanguage.preferredLanguage).toBe('DE');
    const files = await readdir(dataDir);
    expect(files).toEqual(expect.arrayContaining(['identity.db', 'civil-protection.db']));

    expect(await hub.stop()).toBe(0);
    await start();
    const again = await devToken(identity, { subject: citizen.subject });
    const mine = await graphql<{ me: { fiscalCode: string; preferredLanguage: string } }>(
      api,
      '{ me { fiscalCode preferredLanguage } }',
      { token: again.access_token },
    );
    expect(mine.data?.me).toEqual({ fiscalCode: citizen.subject, preferredLanguage: 'DE' });
  });
});
