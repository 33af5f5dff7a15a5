import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineEntity, p } from '@mikro-orm/core';
import { afterAll, describe, expect, test } from 'vitest';
import { runMigrationCommand } from './migration-command.js';
import { tenantProperties } from './tenancy.js';

// Inside the package, so the generated files resolve `@sportello/platform` like a service's do.
const root = fileURLToPath(
  new URL(`./test-support/generated/${randomBytes(4).toString('hex')}`, import.meta.url),
);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const Parcel = defineEntity({
  name: 'Parcel',
  tableName: 'parcel',
  properties: { id: p.uuid().primary(), ...tenantProperties(), label: p.string().length(80) },
});

describe('the migration:create command', () => {
  test('writes a migration per dialect and says which, then says nothing changed', async () => {
    const dir = join(root, 'command');
    const lines: string[] = [];
    const out = { write: (text: string) => lines.push(text) };
    await runMigrationCommand({ service: 'platform-test', entities: [Parcel], dir, name: 'parcels' }, out);
    const sqlite = (await readdir(join(dir, 'sqlite'))).find((file) => file.endsWith('_parcels.ts'));
    const postgresql = (await readdir(join(dir, 'postgresql'))).find((file) => file.endsWith('_parcels.ts'));
    expect(sqlite).toBeDefined();
    expect(postgresql).toBeDefined();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`^sqlite: ${sqlite!.replace(/\.ts$/, '')}.* \\(\\d+ statements\\)\\n$`),
    );
    expect(lines[1]).toMatch(/^postgresql: Migration\d{14}_parcels.* \(\d+ statements\)\n$/);

    lines.length = 0;
    await runMigrationCommand({ service: 'platform-test', entities: [Parcel], dir, name: 'again' }, out);
    expect(lines).toEqual(['sqlite: no changes\n', 'postgresql: no changes\n']);
  });
});
