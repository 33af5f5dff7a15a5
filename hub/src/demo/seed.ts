import { seedCivilProtection } from '@sportello/civil-protection';
import { seedIdentity } from '@sportello/identity';
import type { Database } from '@sportello/platform';
import type { HubConfig, ServiceName } from '../config.js';
import { generatePopulation, type DemoPopulation } from './population.js';

/** The databases of the services that are up; a missing one is skipped. */
export type SeedTargets = Partial<Record<ServiceName, Database>>;

const LANGUAGES = ['it', 'it', 'it', 'it', 'it', 'it', 'en', 'de'] as const;

/**
 * Generates the demo comune and hands each service its part. Every service's seed is idempotent
 * (it leaves a comune that already has data alone), so this runs at every start and only the first
 * one does real work.
 */
export async function seedDemoData(
  config: HubConfig,
  targets: SeedTargets,
  progress: (line: string) => void,
): Promise<DemoPopulation> {
  const population = generatePopulation({ households: config.demoHouseholds, istat: config.comune });
  const { comune } = population;

  if (targets.identity) {
    const em = targets.identity.fork({ comune: comune.istat });
    const started = Date.now();
    await seedIdentity(
      em,
      {
        comune: comune.istat,
        citizens: population.people.map((person, i) => ({
          fiscalCode: person.fiscalCode,
          givenName: person.givenName,
          familyName: person.familyName,
          email: person.email ?? null,
          emailVerified: person.email !== undefined,
          preferredLanguage: LANGUAGES[i % LANGUAGES.length]!,
          ioEnabled: person.io,
        })),
        staff: population.staff.map((member) => ({
          username: member.username,
          displayName: `${member.givenName} ${member.familyName}`,
          offices: member.offices,
        })),
        delegations: parentalDelegations(population),
      },
      (done, total) => progress(`  identity: ${done}/${total} citizens`),
    );
    progress(
      `  identity: ${population.people.length} people, ${population.staff.length} staff (${elapsed(started)})`,
    );
  }

  if (targets['civil-protection']) {
    const started = Date.now();
    await seedCivilProtection(targets['civil-protection'].fork({ comune: comune.istat }), {
      comune: comune.istat,
      comuneName: comune.name,
      zones: comune.zones.map((zone) => ({ code: zone.code, name: zone.name })),
      centre: { latitude: comune.centre.lat, longitude: comune.centre.lon },
    });
    progress(`  civil protection: zones, emergency areas, numbers, an ordinance (${elapsed(started)})`);
  }

  return population;
}

/** Parents act for their minor children, as the anagrafe's family records say. */
function parentalDelegations(population: DemoPopulation) {
  const today = new Date();
  const byFiscalCode = new Map(population.people.map((person) => [person.fiscalCode, person]));
  const delegations: Array<{ delegator: string; delegate: string; kind: 'minor-child' }> = [];
  for (const household of population.households) {
    const members = household.members.map((fc) => byFiscalCode.get(fc)!);
    const parents = members.filter((m) => m.relationship === 'head' || m.relationship === 'spouse');
    for (const child of members.filter((m) => m.relationship === 'child' && ageOn(m.birthDate, today) < 18)) {
      for (const parent of parents) {
        delegations.push({ delegator: child.fiscalCode, delegate: parent.fiscalCode, kind: 'minor-child' });
      }
    }
  }
  return delegations;
}

function ageOn(birthDate: string, day: Date): number {
  const birth = new Date(`${birthDate}T00:00:00Z`);
  let age = day.getUTCFullYear() - birth.getUTCFullYear();
  const beforeBirthday =
    day.getUTCMonth() < birth.getUTCMonth() ||
    (day.getUTCMonth() === birth.getUTCMonth() && day.getUTCDate() < birth.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}

function elapsed(started: number): string {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}
