/**
 * Imports the comune's alert zones from a GeoJSON file into the service's database (the same
 * checks as the `importAlertZones` mutation, without the gateway's body limit), with the service's
 * own environment: `npm run import:zones -w @sportello/civil-protection -- <file.geojson> [istat]`
 * (after a build).
 */
import { readFile } from 'node:fs/promises';
import { BadUserInputError, createLogger, openServiceDatabase } from '@sportello/platform';
import { loadCivilProtectionConfig } from './config.js';
import { importZones } from './domain/zones.js';
import { CIVIL_PROTECTION_ENTITIES } from './entities/index.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';

const [file, comuneArgument] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: import-zones <file.geojson> [istat code, default COMUNE]\n');
  process.exit(2);
}
const config = loadCivilProtectionConfig(process.env);
const comune = comuneArgument ?? config.defaultComune;
const database = await openServiceDatabase({
  service: 'civil-protection',
  config: config.database,
  entities: CIVIL_PROTECTION_ENTITIES,
  migrations: { sqlite, postgresql },
  logger: createLogger({ name: 'import-zones', level: config.logLevel }),
});
try {
  await database.migrate();
  const zones = await importZones(
    database.fork({ comune }),
    comune,
    JSON.parse(await readFile(file, 'utf8')),
  );
  for (const zone of zones) {
    const shape = zone.geometry ? zone.geometry.type : 'no shape';
    process.stdout.write(`${zone.code}\t${zone.name}\t${zone.regionalAlertZone ?? '-'}\t${shape}\n`);
  }
} catch (error) {
  if (!(error instanceof BadUserInputError)) throw error;
  const violations = (error.extensions['violations'] ?? []) as Array<{ field: string; message: string }>;
  for (const violation of violations) process.stderr.write(`${violation.field}: ${violation.message}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
