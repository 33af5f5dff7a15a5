import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyEncryptionKey } from '@sportello/identity';
import type { HubConfig } from './config.js';

/** Where the demo keeps identity's key-encryption key when none is configured. */
export const DEMO_KEY_FILE = 'identity-key-encryption.key';

/**
 * The hub's config with identity's key-encryption key settled: the one configured
 * (`IDENTITY_KEY_ENCRYPTION_KEY`), else the demo's, generated once into the data folder (readable by
 * its owner only), so signing keys are sealed in identity's database in every run.
 */
export async function withKeyEncryptionKey(config: HubConfig): Promise<HubConfig> {
  // Production brings its own: identity refuses to start without it, naming the variable.
  if (config.identityKeyEncryptionKey !== null || config.mode === 'production') return config;
  await mkdir(config.dataDir, { recursive: true });
  const file = join(config.dataDir, DEMO_KEY_FILE);
  let key = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    },
  );
  if (key === null) {
    key = generateKeyEncryptionKey();
    // `wx`: two hubs starting on one folder never overwrite each other's key.
    await writeFile(file, `${key}\n`, { flag: 'wx', mode: 0o600 }).catch(
      async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
        key = (await readFile(file, 'utf8')).trim();
      },
    );
  }
  return { ...config, identityKeyEncryptionKey: key };
}

/**
 * The hub's config with its secrets settled for a demo: identity's key-encryption key (see
 * {@link withKeyEncryptionKey}) and, unless set, an internal secret made up for this start (the
 * hub starts every service, so they all learn it). Production brings both, or the start refuses.
 */
export async function withDemoSecrets(config: HubConfig): Promise<HubConfig> {
  const settled = await withKeyEncryptionKey(config);
  if (settled.internalSecret !== null || settled.mode === 'production') return settled;
  return { ...settled, internalSecret: randomBytes(32).toString('base64url') };
}
