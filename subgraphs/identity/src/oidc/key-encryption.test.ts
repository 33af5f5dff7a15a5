import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInProcessBus, createLogger } from '@sportello/platform';
import { loadIdentityConfig, type IdentityConfig } from '../config.js';
import { SigningKeyEntity } from '../entities/signing-key.entity.js';
import { createIdentity, seedIdentity, type IdentityHandle } from '../index.js';
import { COMUNE, MARIO, SEED, testConfig } from '../test-support/harness.js';
import { generateKeyEncryptionKey, parseKeyEncryptionKey } from './key-encryption.js';

let dir: string;
const running: Array<{ close(): Promise<void> }> = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'identity-keys-'));
});
afterEach(async () => {
  for (const service of running.splice(0).reverse()) await service.close();
  await rm(dir, { recursive: true, force: true });
});

/** Identity on the test's database file, as a restart with `keyEncryptionKey` would start it. */
async function start(
  keyEncryptionKey: string | null,
  previousKey: string | null = null,
): Promise<{ identity: IdentityHandle; url: string }> {
  const config: IdentityConfig = testConfig({
    database: { driver: 'sqlite', url: join(dir, 'identity.db') },
    keyEncryptionKey: keyEncryptionKey === null ? null : parseKeyEncryptionKey(keyEncryptionKey),
    previousKeyEncryptionKey: previousKey === null ? null : parseKeyEncryptionKey(previousKey),
  });
  const bus = createInProcessBus();
  const identity = await createIdentity(config, {
    bus,
    logger: createLogger({ name: 'identity-keys-test', level: 'silent' }),
  });
  running.push({ close: () => identity.close().then(() => bus.close()) });
  await seedIdentity(identity.database.fork({ comune: COMUNE }), SEED);
  return { identity, url: await identity.listen(0) };
}

/** A token for Mario from the demo login, checked against the published keys. */
async function signedToken(url: string): Promise<{ status: number; kid?: string; error?: string }> {
  const response = await fetch(`${url}/auth/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ subject: MARIO }),
  });
  if (response.status !== 200) return { status: response.status, error: await response.text() };
  const { access_token } = (await response.json()) as { access_token: string };
  const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as Parameters<
    typeof createLocalJWKSet
  >[0];
  const { protectedHeader } = await jwtVerify(access_token, createLocalJWKSet(jwks));
  return { status: 200, kid: protectedHeader.kid! };
}

/** The private halves as stored in the database. */
async function storedPrivateKeys(identity: IdentityHandle): Promise<unknown[]> {
  const keys = await identity.database.forkUnscoped().find(SigningKeyEntity, {});
  return keys.map((key) => key.privateJwk);
}

describe('signing keys at rest', () => {
  it('are sealed in the database with the key-encryption key, and sign tokens that verify', async () => {
    const { identity, url } = await start(generateKeyEncryptionKey());
    const token = await signedToken(url);
    expect(token.status).toBe(200);

    const stored = await storedPrivateKeys(identity);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ sealed: 'A256GCM' });
    // The private scalar of the EC key is nowhere in clear.
    expect(JSON.stringify(stored)).not.toMatch(/"d":/);
  });

  it('keep working across a restart with the same key', async () => {
    const key = generateKeyEncryptionKey();
    const first = await start(key);
    const before = await signedToken(first.url);
    await running.pop()!.close();

    const again = await start(key);
    expect((await signedToken(again.url)).kid).toBe(before.kid);
  });

  it('stored in clear by an earlier run are sealed once a key-encryption key is configured', async () => {
    const clear = await start(null);
    const before = await signedToken(clear.url);
    expect(JSON.stringify(await storedPrivateKeys(clear.identity))).toMatch(/"d":/);
    await running.pop()!.close();

    const sealed = await start(generateKeyEncryptionKey());
    expect((await signedToken(sealed.url)).kid).toBe(before.kid);
    const stored = await storedPrivateKeys(sealed.identity);
    expect(stored[0]).toMatchObject({ sealed: 'A256GCM' });
    expect(JSON.stringify(stored)).not.toMatch(/"d":/);
  });

  it('move to a new key-encryption key: the previous one still opens them, and they are sealed again', async () => {
    const [oldKey, newKey] = [generateKeyEncryptionKey(), generateKeyEncryptionKey()];
    const first = await start(oldKey);
    const before = await signedToken(first.url);
    const sealedBefore = JSON.stringify(await storedPrivateKeys(first.identity));
    await running.pop()!.close();

    const replacing = await start(newKey, oldKey);
    expect((await signedToken(replacing.url)).kid).toBe(before.kid);
    const resealed = JSON.stringify(await storedPrivateKeys(replacing.identity));
    expect(resealed).not.toBe(sealedBefore);
    expect(resealed).not.toMatch(/"d":/);
    await running.pop()!.close();

    // Once the signing key is sealed again the old key can go (retired keys never sign again).
    const replaced = await start(newKey);
    expect((await signedToken(replaced.url)).kid).toBe(before.kid);
  });

  it('refuse to sign with another key-encryption key, or none, naming the key and the variable', async () => {
    const first = await start(generateKeyEncryptionKey());
    const { kid } = await signedToken(first.url);
    await running.pop()!.close();

    const wrong = await start(generateKeyEncryptionKey());
    const refused = await signedToken(wrong.url);
    expect(refused.status).toBe(500);
    // The caller learns nothing of the keys; the operator is told which key and which variable.
    expect(refused.error).not.toContain(kid!);
    await expect(wrong.identity.keys.activeKey()).rejects.toThrow(
      new RegExp(
        `signing key ${kid} was sealed with key-encryption key [0-9a-f]{16}; IDENTITY_KEY_ENCRYPTION_KEY is key [0-9a-f]{16}`,
      ),
    );
    await running.pop()!.close();

    const none = await start(null);
    await expect(none.identity.keys.activeKey()).rejects.toThrow(
      `signing key ${kid} is stored sealed: set IDENTITY_KEY_ENCRYPTION_KEY to the key that sealed it`,
    );
    // What was stored is untouched: the right key still opens it.
    expect(JSON.stringify(await storedPrivateKeys(none.identity))).not.toMatch(/"d":/);
  });
});

describe('the first signing key', () => {
  it('is one key however many tokens a start asks for at once, so every verifier knows it', async () => {
    const { url } = await start(generateKeyEncryptionKey());
    // Every service asks for its token at the same moment when a hub starts.
    const tokens = await Promise.all(Array.from({ length: 8 }, () => signedToken(url)));
    expect(tokens.map((token) => token.status)).toEqual(Array(8).fill(200));
    expect(new Set(tokens.map((token) => token.kid)).size).toBe(1);
    const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
  });
});

describe('IDENTITY_KEY_ENCRYPTION_KEY', () => {
  const production = {
    SPORTELLO_MODE: 'production',
    UPSTREAM_OIDC_ISSUER: 'https://spid.example.it',
    UPSTREAM_OIDC_CLIENT_ID: 'sportello',
    UPSTREAM_OIDC_CLIENT_SECRET: 'a-secret-for-the-upstream',
    INTERNAL_CLIENT_SECRETS: 'notifier=notifier-secret-0123456789',
    COMUNE: '010025',
    COMUNE_NAME: 'Genova',
    PUBLIC_URL: 'https://servizi.comune.genova.example',
    INTERNAL_SECRET: 'an-internal-secret-of-32-characters-or-more',
  };

  it('is required in production', () => {
    expect(() => loadIdentityConfig(production)).toThrow(
      /IDENTITY_KEY_ENCRYPTION_KEY: required in production: signing keys are never stored in clear/,
    );
    const key = generateKeyEncryptionKey();
    expect(loadIdentityConfig({ ...production, IDENTITY_KEY_ENCRYPTION_KEY: key }).keyEncryptionKey).toEqual(
      Buffer.from(key, 'base64'),
    );
  });

  it('must be 32 bytes in base64, and the error does not repeat the value', () => {
    const bad = 'c2hvcnQ=';
    let message = '';
    try {
      loadIdentityConfig({ IDENTITY_KEY_ENCRYPTION_KEY: bad });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/IDENTITY_KEY_ENCRYPTION_KEY: expected 32 bytes in base64/);
    expect(message).not.toContain(bad);
    expect(loadIdentityConfig({}).keyEncryptionKey).toBeNull();
    expect(() =>
      loadIdentityConfig({ IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY: generateKeyEncryptionKey() }),
    ).toThrow(
      /IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY: needs IDENTITY_KEY_ENCRYPTION_KEY, the key replacing it/,
    );
  });
});
