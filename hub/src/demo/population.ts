import { type SeedPerson, type SeedStreet } from '@sportello/anagrafe';
import { demoRandom } from '@sportello/platform';
import { computeFiscalCode } from '@sportello/schema';
import { BIRTH_PLACES, FEMALE_NAMES, MALE_NAMES, STREET_NAMES, SURNAMES } from './names.js';

/** The demo comune: fictional (its ISTAT code matches no real comune), with real-looking data. */
export interface DemoComune {
  istat: string;
  name: string;
  province: string;
  /** The comune's own fiscal code (ente creditore for pagoPA), Luhn-valid. */
  fiscalCode: string;
  centre: { lat: number; lon: number };
  zones: DemoZone[];
  streets: DemoStreet[];
}

export interface DemoZone {
  code: string;
  name: string;
  centre: { lat: number; lon: number };
  /** The regional alert zone (Piedmont's `Piem-A`..`Piem-M`) it falls in. */
  regionalAlertZone: string;
  /** Its shape: a GeoJSON Polygon, `[lon, lat]`, exterior ring counterclockwise, closed. */
  geometry: { type: 'Polygon'; coordinates: Array<Array<[number, number]>> };
}

/** A street of the register, as the anagrafe's seed takes it. */
export type DemoStreet = SeedStreet;

export type DemoAddress = SeedPerson['address'];

export type Relationship = SeedPerson['relationship'];

/** A resident, as the anagrafe's seed takes it, with the contact points identity links. */
export interface DemoPerson extends SeedPerson {
  citizenship: 'IT' | 'RO' | 'AL' | 'MA' | 'CN' | 'UA';
  civilStatus: 'single' | 'married' | 'widowed' | 'divorced';
  /** Contact points a citizen registered; adults only, and not everyone. */
  email?: string;
  telegram: boolean;
  io: boolean;
}

export interface DemoHousehold {
  id: string;
  address: DemoAddress;
  members: string[];
}

export interface DemoStaff {
  username: string;
  givenName: string;
  familyName: string;
  offices: Array<'anagrafe' | 'tributi' | 'practices' | 'suap' | 'civil-protection' | 'admin'>;
}

export interface DemoPopulation {
  comune: DemoComune;
  people: DemoPerson[];
  households: DemoHousehold[];
  staff: DemoStaff[];
}

export interface PopulationOptions {
  /** Number of households; about 2.2 people each. @default 1200 */
  households?: number;
  /** Seed of the deterministic generator: the same seed gives the same town. @default 2026 */
  seed?: number;
  /** Reference date for ages. @default today */
  today?: Date;
  istat?: string;
}

/** Name of the fictional demo comune. */
export const DEMO_COMUNE_NAME = 'Borgo Sereno';

/**
 * The comune's four zones, tiling the town and its countryside: the old centre, the river side to
 * the west, the hills to the south-east, the northern hamlet. The plain is in Piedmont's alert zone
 * M (pianura cuneese), the hills in L (a plausible layout for a fictional town).
 */
const ZONES: DemoZone[] = [
  {
    code: 'centro',
    name: 'Centro storico',
    centre: { lat: 44.6972, lon: 7.8558 },
    regionalAlertZone: 'Piem-M',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [7.85, 44.6935],
          [7.8562, 44.6929],
          [7.862, 44.6935],
          [7.862, 44.7],
          [7.85, 44.7],
          [7.85, 44.6935],
        ],
      ],
    },
  },
  {
    code: 'fiume',
    name: 'Zona lungo fiume',
    centre: { lat: 44.7021, lon: 7.8449 },
    regionalAlertZone: 'Piem-M',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [7.833, 44.6915],
          [7.85, 44.6915],
          [7.85, 44.6935],
          [7.85, 44.7],
          [7.85, 44.708],
          [7.836, 44.708],
          [7.8295, 44.7],
          [7.833, 44.6915],
        ],
      ],
    },
  },
  {
    code: 'collina',
    name: 'Collina',
    centre: { lat: 44.6899, lon: 7.8701 },
    regionalAlertZone: 'Piem-L',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [7.85, 44.68],
          [7.888, 44.68],
          [7.888, 44.7],
          [7.862, 44.7],
          [7.862, 44.6935],
          [7.8562, 44.6929],
          [7.85, 44.6935],
          [7.85, 44.68],
        ],
      ],
    },
  },
  {
    code: 'frazione-nord',
    name: 'Frazione Nord',
    centre: { lat: 44.7143, lon: 7.8612 },
    regionalAlertZone: 'Piem-M',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [7.85, 44.7],
          [7.862, 44.7],
          [7.876, 44.7],
          [7.876, 44.725],
          [7.844, 44.725],
          [7.844, 44.708],
          [7.85, 44.708],
          [7.85, 44.7],
        ],
      ],
    },
  },
];

const CITIZENSHIP_BY_PLACE: Record<string, DemoPerson['citizenship']> = {
  Z129: 'RO',
  Z100: 'AL',
  Z330: 'MA',
  Z210: 'CN',
  Z138: 'UA',
};

/** Makes an 11-digit organisation fiscal code whose last digit is the Luhn check. */
function organisationFiscalCode(first10: string): string {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = Number(first10[i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return first10 + String((10 - (sum % 10)) % 10);
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Generates a realistic small town: households at real-looking addresses spread over four
 * civil-protection zones, people with valid fiscal codes (a few omocodic ones are left to the
 * validators' tests), families with children and elderly parents, staff for every office.
 */
export function generatePopulation(options: PopulationOptions = {}): DemoPopulation {
  // The same seed yields the same population.
  const random = demoRandom(options.seed ?? 2026);
  const today = options.today ?? new Date();
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

  const comune: DemoComune = {
    istat: options.istat ?? '999001',
    name: DEMO_COMUNE_NAME,
    province: 'CN',
    fiscalCode: organisationFiscalCode('8000123004'),
    centre: { lat: 44.6972, lon: 7.8558 },
    zones: ZONES,
    streets: STREET_NAMES.map((name, i) => ({
      name,
      zone: ZONES[i % ZONES.length]!.code,
      postcode: i % ZONES.length === 3 ? '12043' : '12042',
    })),
  };

  const people: DemoPerson[] = [];
  const households: DemoHousehold[] = [];
  const taken = new Set<string>();

  const birthDateForAge = (age: number): Date => {
    const d = new Date(Date.UTC(today.getUTCFullYear() - age, 0, 1));
    d.setUTCDate(d.getUTCDate() - between(1, 364));
    return d;
  };

  const person = (
    householdId: string,
    relationship: Relationship,
    address: DemoAddress,
    age: number,
    sex: 'F' | 'M',
    familyName: string,
    civilStatus: DemoPerson['civilStatus'],
  ): DemoPerson => {
    const adult = age >= 18;
    // Children are mostly born near home; adults come from all over Italy and abroad.
    const place = adult ? pick(BIRTH_PLACES) : random() < 0.85 ? BIRTH_PLACES[12]! : pick(BIRTH_PLACES);
    for (let attempt = 0; ; attempt++) {
      const givenName = pick(sex === 'F' ? FEMALE_NAMES : MALE_NAMES);
      const birthDate = isoDate(birthDateForAge(age));
      const fiscalCode = computeFiscalCode({
        surname: familyName,
        name: givenName,
        birthDate,
        sex,
        birthPlaceCode: place.code,
      });
      // A real collision is resolved by the Agenzia delle Entrate with omocodia; the demo just redraws.
      if (taken.has(fiscalCode) && attempt < 20) continue;
      taken.add(fiscalCode);
      const email = adult && random() < 0.7 ? emailFor(givenName, familyName, people.length) : undefined;
      return {
        fiscalCode,
        givenName,
        familyName,
        sex,
        birthDate,
        birthPlaceCode: place.code,
        birthPlaceName: place.name,
        citizenship: place.foreign ? CITIZENSHIP_BY_PLACE[place.code]! : 'IT',
        civilStatus,
        householdId,
        relationship,
        address,
        ...(email ? { email } : {}),
        telegram: adult && random() < 0.35,
        io: adult && random() < 0.6,
      };
    }
  };

  const count = options.households ?? 1200;
  for (let h = 0; h < count; h++) {
    const street = pick(comune.streets);
    const address: DemoAddress = {
      street: street.name,
      number: String(between(1, 120)) + (random() < 0.08 ? pick(['A', 'B', 'bis']) : ''),
      postcode: street.postcode,
      zone: street.zone,
    };
    const id = `F${String(h + 1).padStart(5, '0')}`;
    const members: DemoPerson[] = [];
    const shape = random();
    const familyName = pick(SURNAMES);
    if (shape < 0.3) {
      // Single person, often elderly.
      const age = random() < 0.5 ? between(65, 95) : between(20, 64);
      const status = age > 70 && random() < 0.6 ? 'widowed' : random() < 0.2 ? 'divorced' : 'single';
      members.push(person(id, 'head', address, age, random() < 0.55 ? 'F' : 'M', familyName, status));
    } else {
      const headAge = between(25, 80);
      const head = person(id, 'head', address, headAge, random() < 0.5 ? 'M' : 'F', familyName, 'married');
      members.push(head);
      const spouseAge = Math.max(20, headAge + between(-6, 6));
      members.push(
        person(id, 'spouse', address, spouseAge, head.sex === 'M' ? 'F' : 'M', pick(SURNAMES), 'married'),
      );
      if (shape < 0.85 && headAge < 60) {
        const children = between(1, 3);
        for (let c = 0; c < children; c++) {
          const age = Math.max(0, Math.min(headAge - 20, between(0, 25)));
          members.push(person(id, 'child', address, age, random() < 0.5 ? 'F' : 'M', familyName, 'single'));
        }
      } else if (shape >= 0.93) {
        members.push(
          person(id, 'parent', address, headAge + between(22, 30), 'F', pick(SURNAMES), 'widowed'),
        );
      }
    }
    people.push(...members);
    households.push({ id, address, members: members.map((m) => m.fiscalCode) });
  }

  const staff: DemoStaff[] = [
    { username: 'anagrafe.rossi', givenName: 'Laura', familyName: 'Rossi', offices: ['anagrafe'] },
    { username: 'tributi.bianchi', givenName: 'Paolo', familyName: 'Bianchi', offices: ['tributi'] },
    { username: 'pratiche.verdi', givenName: 'Giulia', familyName: 'Verdi', offices: ['practices'] },
    { username: 'suap.neri', givenName: 'Marco', familyName: 'Neri', offices: ['suap'] },
    {
      username: 'protezione.civile',
      givenName: 'Stefano',
      familyName: 'Gallo',
      offices: ['civil-protection'],
    },
    { username: 'admin', givenName: 'Elena', familyName: 'Conti', offices: ['admin'] },
    // The URP front desk (Ufficio Relazioni con il Pubblico) follows citizens' practices with their
    // names and dues in view, as a one-stop desk does; it sorts after the single-office members.
    {
      username: 'urp.galli',
      givenName: 'Chiara',
      familyName: 'Galli',
      offices: ['practices', 'anagrafe', 'tributi'],
    },
  ];

  return { comune, people, households, staff };
}

function emailFor(givenName: string, familyName: string, n: number): string {
  const clean = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase();
  // example.org is reserved for documentation: demo mail never reaches a real mailbox.
  return `${clean(givenName)}.${clean(familyName)}${n % 97}@example.org`;
}
