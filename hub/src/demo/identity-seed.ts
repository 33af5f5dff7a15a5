import type { IdentitySeed } from '@sportello/identity';
import type { DemoPopulation } from './population.js';

const LANGUAGES = ['it', 'it', 'it', 'it', 'it', 'it', 'en', 'de'] as const;

/**
 * The Telegram chat of the demo person at `index` of the population, for those who linked one: the
 * same id in identity (which says a chat is linked) and in the notifier (which writes to it).
 */
export function demoTelegramChatId(index: number): string {
  return String(700_000_000 + index);
}

/** Identity's share of the demo comune: every person, the staff, and parents acting for minors. */
export function identitySeed(population: DemoPopulation): IdentitySeed {
  return {
    comune: population.comune.istat,
    citizens: population.people.map((person, i) => ({
      fiscalCode: person.fiscalCode,
      givenName: person.givenName,
      familyName: person.familyName,
      email: person.email ?? null,
      emailVerified: person.email !== undefined,
      preferredLanguage: LANGUAGES[i % LANGUAGES.length]!,
      ioEnabled: person.io,
      telegramChatId: person.telegram ? demoTelegramChatId(i) : null,
    })),
    staff: population.staff.map((member) => ({
      username: member.username,
      displayName: `${member.givenName} ${member.familyName}`,
      offices: member.offices,
    })),
    delegations: parentalDelegations(population),
  };
}

function parentalDelegations(population: DemoPopulation): NonNullable<IdentitySeed['delegations']> {
  const today = new Date();
  const byFiscalCode = new Map(population.people.map((person) => [person.fiscalCode, person]));
  const delegations: NonNullable<IdentitySeed['delegations']> = [];
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

/** Age in whole years on `day`. */
export function ageOn(birthDate: string, day: Date): number {
  const birth = new Date(`${birthDate}T00:00:00Z`);
  let age = day.getUTCFullYear() - birth.getUTCFullYear();
  const beforeBirthday =
    day.getUTCMonth() < birth.getUTCMonth() ||
    (day.getUTCMonth() === birth.getUTCMonth() && day.getUTCDate() < birth.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}
