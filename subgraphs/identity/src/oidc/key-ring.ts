import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { EntityManager } from '@sportello/platform';
import { SigningKeyEntity, type SigningKey } from '../entities/signing-key.entity.js';
import {
  isSealedJwk,
  KEY_ENCRYPTION_VARIABLE,
  KeyEncryptionError,
  type KeyEncryption,
} from './key-encryption.js';

/** The only signature algorithm the issuer uses. */
export const SIGNING_ALGORITHM = 'ES256';

/** How keys rotate and how long their public halves stay published. */
export interface KeyRingOptions {
  /** A key older than this is replaced by a new one at the next signature. */
  rotateAfterMs: number;
  /** The longest lifetime of a token; a retired key stays in the JWKS this long (plus skew). */
  maxTokenLifetimeMs: number;
  /** Tolerated clock difference between issuer and verifiers. @default 60_000 */
  clockSkewMs?: number;
  /** Seals private keys in the database; without it they are stored in clear (demo only). */
  encryption?: KeyEncryption | undefined;
}

/** The key signing new tokens. */
export interface ActiveKey {
  kid: string;
  privateKey: CryptoKey;
}

/**
 * ES256 signing keys kept in the identity database, so every replica signs with the same key and
 * a restart invalidates nothing. Keys are deployment-wide (not per comune).
 */
export class KeyRing {
  private active: { key: ActiveKey; createdAt: Date; loadedAt: number } | undefined;
  private loading: Promise<ActiveKey> | undefined;

  constructor(
    private readonly options: KeyRingOptions,
    private readonly forkEm: () => EntityManager,
  ) {}

  /**
   * The key to sign with, creating the first one or rotating when the newest is older than
   * `rotateAfterMs`. Replicas racing to rotate each add a key: both get published, nothing breaks.
   */
  async activeKey(now = new Date()): Promise<ActiveKey> {
    const cached = this.active;
    // Re-read now and then so a rotation done by another replica is picked up.
    if (
      cached !== undefined &&
      now.getTime() - cached.loadedAt < 60_000 &&
      !this.isDue(cached.createdAt, now)
    ) {
      return cached.key;
    }
    // One load at a time: the requests of a start (every service asking for its token at once) would
    // otherwise each create a key, and sign with whichever finished last, one that verifiers which
    // fetched the key set a moment earlier do not know yet.
    this.loading ??= this.load(now).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(now: Date): Promise<ActiveKey> {
    const em = this.forkEm();
    const newest = () =>
      em.find(SigningKeyEntity, {}, { orderBy: { createdAt: 'desc' }, limit: 1 }).then(([key]) => key);
    let chosen: SigningKey | undefined = await newest();
    if (chosen === undefined || this.isDue(chosen.createdAt, now)) {
      await this.rotate(em, now);
      // Replicas that rotated at the same moment all sign with the newest of their keys.
      chosen = (await newest())!;
    }
    const key: ActiveKey = {
      kid: chosen.kid,
      privateKey: (await importJWK(await this.privateJwkOf(em, chosen), SIGNING_ALGORITHM)) as CryptoKey,
    };
    this.active = { key, createdAt: chosen.createdAt, loadedAt: now.getTime() };
    return key;
  }

  /** Public keys that may still verify a live token: the active one and recently retired ones. */
  async publishedKeys(now = new Date()): Promise<JWK[]> {
    const em = this.forkEm();
    const keys = await em.find(SigningKeyEntity, {}, { orderBy: { createdAt: 'desc' } });
    const keep = this.options.maxTokenLifetimeMs + (this.options.clockSkewMs ?? 60_000);
    return keys
      .filter((key) => key.retiredAt == null || key.retiredAt.getTime() + keep > now.getTime())
      .map((key) => ({ ...key.publicJwk, kid: key.kid, alg: SIGNING_ALGORITHM, use: 'sig' }));
  }

  /**
   * The key set an OpenID provider signs with: the active key first (the one it signs with), then
   * the retired ones still published, as private JWKs with `kid`, `alg` and `use`.
   */
  async signingJwks(now = new Date()): Promise<JWK[]> {
    const active = await this.activeKey(now);
    const em = this.forkEm();
    const published = new Set((await this.publishedKeys(now)).map((key) => key.kid));
    const keys = await em.find(SigningKeyEntity, {}, { orderBy: { createdAt: 'desc' } });
    const jwks: JWK[] = [];
    for (const key of keys) {
      if (key.kid !== active.kid && !published.has(key.kid)) continue;
      const jwk = { ...(await this.privateJwkOf(em, key)), kid: key.kid, alg: SIGNING_ALGORITHM, use: 'sig' };
      if (key.kid === active.kid) jwks.unshift(jwk);
      else jwks.push(jwk);
    }
    return jwks;
  }

  /** Forces a new key now (an operator's response to a suspected leak). */
  async rotateNow(now = new Date()): Promise<string> {
    const key = await this.rotate(this.forkEm(), now);
    this.active = undefined;
    return key.kid;
  }

  /**
   * The private half of `key`, opened; one stored in clear is sealed now when encryption is on.
   * @throws {KeyEncryptionError} naming the kid when it cannot be opened with this configuration.
   */
  private async privateJwkOf(em: EntityManager, key: SigningKey): Promise<JWK> {
    const stored = key.privateJwk;
    const encryption = this.options.encryption;
    if (!encryption) {
      if (!isSealedJwk(stored)) return stored;
      throw new KeyEncryptionError(
        `signing key ${key.kid} is stored sealed: set ${KEY_ENCRYPTION_VARIABLE} to the key that sealed it (${stored.keyId})`,
      );
    }
    // Stored in clear by an earlier run, or sealed with the key being replaced: sealed (again) now.
    const { jwk, current } = isSealedJwk(stored)
      ? encryption.open(stored, key.kid)
      : { jwk: stored, current: false };
    if (!current) {
      await em.nativeUpdate(
        SigningKeyEntity,
        { kid: key.kid },
        { privateJwk: encryption.seal(jwk, key.kid) },
      );
    }
    return jwk;
  }

  private isDue(createdAt: Date, now: Date): boolean {
    return now.getTime() - createdAt.getTime() >= this.options.rotateAfterMs;
  }

  private async rotate(em: EntityManager, now: Date): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
    const kid = randomUUID();
    const privateJwk = await exportJWK(privateKey);
    await em.nativeUpdate(SigningKeyEntity, { retiredAt: null }, { retiredAt: now });
    const key = em.create(SigningKeyEntity, {
      kid,
      publicJwk: await exportJWK(publicKey),
      privateJwk: this.options.encryption ? this.options.encryption.seal(privateJwk, kid) : privateJwk,
      createdAt: now,
      retiredAt: null,
    });
    await em.flush();
    return key;
  }
}
