import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';

/** A private JWK as stored when a key-encryption key is configured: AES-256-GCM, bound to its kid. */
export interface SealedJwk {
  sealed: 'A256GCM';
  /** Which key-encryption key sealed it (a digest of the key, not the key). */
  keyId: string;
  iv: string;
  tag: string;
  data: string;
}

/** A signing key's private half cannot be read with the configuration at hand. */
export class KeyEncryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyEncryptionError';
  }
}

/** The variable holding the key-encryption key, named in errors. */
export const KEY_ENCRYPTION_VARIABLE = 'IDENTITY_KEY_ENCRYPTION_KEY';
/** The variable holding the key it replaces, while keys sealed with that one are sealed again. */
export const PREVIOUS_KEY_ENCRYPTION_VARIABLE = 'IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY';

/** What a key-encryption key looks like, for error messages. */
export const KEY_ENCRYPTION_KEY_FORMAT =
  'expected 32 bytes in base64 (44 characters, e.g. from "openssl rand -base64 32")';

/**
 * Reads a key-encryption key: 32 random bytes in base64 (`openssl rand -base64 32`).
 * @throws {KeyEncryptionError} naming the variable when it is anything else.
 */
export function parseKeyEncryptionKey(text: string): Buffer {
  if (!isKeyEncryptionKey(text)) {
    throw new KeyEncryptionError(`${KEY_ENCRYPTION_VARIABLE}: ${KEY_ENCRYPTION_KEY_FORMAT}`);
  }
  return Buffer.from(text.trim(), 'base64');
}

/** Whether `text` is a key-encryption key: 32 bytes in base64. */
export function isKeyEncryptionKey(text: string): boolean {
  const key = Buffer.from(text.trim(), 'base64');
  return key.length === 32 && key.toString('base64') === text.trim();
}

/** A new key-encryption key, in the form {@link parseKeyEncryptionKey} reads. */
export function generateKeyEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}

export function isSealedJwk(value: unknown): value is SealedJwk {
  return typeof value === 'object' && value !== null && (value as { sealed?: unknown }).sealed === 'A256GCM';
}

const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 16);

/**
 * Seals signing keys' private halves before they reach the database, so a copy of the database (a
 * backup, a dump handed to support) cannot sign tokens. The kid is authenticated with the key, so
 * a sealed key moved to another row does not open. A `previous` key (the one being replaced) still
 * opens what it sealed; {@link KeyEncryption.open} says so, and the caller seals it again.
 */
export class KeyEncryption {
  readonly keyId: string;
  private readonly previous: { keyId: string; key: Buffer } | null;

  constructor(
    private readonly key: Buffer,
    previous: Buffer | null = null,
  ) {
    if (key.length !== 32 || (previous !== null && previous.length !== 32)) {
      throw new KeyEncryptionError('a key-encryption key is 32 bytes');
    }
    this.keyId = keyIdOf(key);
    this.previous = previous === null ? null : { keyId: keyIdOf(previous), key: previous };
  }

  seal(jwk: JWK, kid: string): SealedJwk {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(kid));
    const data = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
    return {
      sealed: 'A256GCM',
      keyId: this.keyId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  /**
   * Opens a sealed key; `current` is false when the previous key opened it (seal it again).
   * @throws {KeyEncryptionError} naming the kid when it was sealed with another key or altered.
   */
  open(sealed: SealedJwk, kid: string): { jwk: JWK; current: boolean } {
    const current = sealed.keyId === this.keyId;
    const key = current ? this.key : sealed.keyId === this.previous?.keyId ? this.previous.key : undefined;
    if (key === undefined) {
      const previous = this.previous
        ? ` and ${PREVIOUS_KEY_ENCRYPTION_VARIABLE} key ${this.previous.keyId}`
        : '';
      throw new KeyEncryptionError(
        `signing key ${kid} was sealed with key-encryption key ${sealed.keyId}; ${KEY_ENCRYPTION_VARIABLE} is key ${this.keyId}${previous}`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(kid));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const clear = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
      return { jwk: JSON.parse(clear.toString('utf8')) as JWK, current };
    } catch {
      throw new KeyEncryptionError(`signing key ${kid} does not open: its sealed private key was altered`);
    }
  }
}
