import type { Database } from '@sportello/platform';
import type { Instalment } from '../entities/instalment.entity.js';
import { PaymentPositionEntity } from '../entities/payment-position.entity.js';
import { DEFAULT_FINE_RULES } from '../domain/fines.js';
import { ensureCreditor } from '../domain/notice-numbers.js';
import { createPositions, type NewPosition, type PositionWithInstalments } from '../domain/positions.js';
import { addDays, civilDate, demoRandom } from '@sportello/platform';

/** The comune as the hub's demo population describes it (the fields tributi uses). */
export interface SeedComune {
  istat: string;
  name: string;
  /** The comune's fiscal code: the creditor of every notice. */
  fiscalCode: string;
}

/** A resident (the fields tributi uses). */
export interface SeedPerson {
  fiscalCode: string;
  /** `YYYY-MM-DD`. */
  birthDate: string;
  householdId: string;
  relationship: 'head' | 'spouse' | 'child' | 'parent' | 'cohabitant';
}

/** A household (the fields tributi uses). */
export interface SeedHousehold {
  id: string;
  members: string[];
}

/** The hub's generated population, structurally. */
export interface TributiSeedInput {
  comune: SeedComune;
  people: readonly SeedPerson[];
  households: readonly SeedHousehold[];
  /** @default '01' */
  segregationCode?: string;
  /** The day the demo is "today" for, `YYYY-MM-DD`. @default today in Italy */
  today?: string;
}

/** What the seed wrote. */
export interface TributiSeedResult {
  positions: number;
  /** True when the comune already had positions and nothing was written. */
  skipped: boolean;
}

/** Positions per transaction. */
const BATCH = 300;

const PLATES = ['AB123CD', 'FG456HL', 'EK789MN', 'GH012PR', 'DL345ST', 'CZ678VZ'];
const PLACES = ['Via Roma 12', 'Piazza del Municipio', 'Corso Italia 40', 'Via della Stazione 3'];
const ARTICLES = [
  'art. 7 c. 1 CdS (sosta vietata)',
  'art. 142 c. 7 CdS (velocità)',
  'art. 157 c. 6 CdS (disco orario)',
];

/** A TARI/IMU plan that lands a household in one of the demo's situations. */
function tariPlan(index: number, today: string): { dueDates: string[]; paid: number } {
  switch (index % 10) {
    case 0:
    case 1:
    case 2:
      return { dueDates: [addDays(today, -60), addDays(today, 7)], paid: 1 }; // second due within 7 days
    case 3:
      return { dueDates: [addDays(today, -45), addDays(today, 1)], paid: 1 }; // second due tomorrow
    case 4:
    case 5:
      return { dueDates: [addDays(today, -20), addDays(today, 40)], paid: 0 }; // first overdue
    case 6:
      return { dueDates: [addDays(today, -90), addDays(today, -10)], paid: 2 }; // all paid
    default:
      return { dueDates: [addDays(today, 25), addDays(today, 85)], paid: 0 }; // nothing due yet
  }
}

/**
 * Writes a demo's payment positions from the hub's population: TARI for every household (two
 * instalments, to its head), IMU for about a third of the heads, school canteen fees for some
 * children and a few fines, with a spread of states: paid, partly paid, due within the reminder
 * offsets, overdue, not yet due. Idempotent: a comune that already has positions is left alone.
 * History is written without `payment.position-created` events (nobody should be told of it
 * again); the reminder job then finds what is due soon or overdue.
 */
export async function seedTributi(
  database: Database,
  input: TributiSeedInput,
  onProgress?: (done: number, total: number) => void,
): Promise<TributiSeedResult> {
  const comune = input.comune.istat;
  const em = database.fork({ comune });
  await ensureCreditor(em, {
    comune,
    fiscalCode: input.comune.fiscalCode,
    name: `Comune di ${input.comune.name}`,
    segregationCode: input.segregationCode ?? '01',
  });
  if ((await em.count(PaymentPositionEntity, {})) > 0) return { positions: 0, skipped: true };

  const today = input.today ?? civilDate(new Date());
  const year = Number(today.slice(0, 4));
  // The same population gives the same demo.
  const next = demoRandom(input.households.length * 7919 + 17);
  const people = new Map(input.people.map((person) => [person.fiscalCode, person]));
  const plans: { position: NewPosition; paid: number }[] = [];

  input.households.forEach((household, index) => {
    const members = household.members.map((code) => people.get(code)).filter((p) => p !== undefined);
    const head = members.find((person) => person.relationship === 'head') ?? members[0];
    if (head === undefined) return;
    const tari = tariPlan(index, today);
    plans.push({
      position: {
        kind: 'TARI',
        year,
        description: `TARI ${year} - tassa rifiuti, ${members.length} occupant${members.length === 1 ? 'e' : 'i'}`,
        payerFiscalCode: head.fiscalCode,
        amountCents: 12_000 + members.length * 4_550 + Math.round(next() * 9_000),
        dueDates: tari.dueDates,
        externalRef: `TARI-${year}-${household.id}`,
      },
      paid: tari.paid,
    });
    if (index % 3 === 0) {
      const imu = tariPlan(index + 4, today);
      plans.push({
        position: {
          kind: 'IMU',
          year,
          description: `IMU ${year} - altri fabbricati`,
          payerFiscalCode: head.fiscalCode,
          amountCents: 20_000 + Math.round(next() * 100_000),
          dueDates: imu.dueDates,
          externalRef: `IMU-${year}-${household.id}`,
        },
        paid: imu.paid,
      });
    }
    const child = members.find((person) => {
      const age = year - Number(person.birthDate.slice(0, 4));
      return person.relationship === 'child' && age >= 3 && age <= 13;
    });
    if (child !== undefined && index % 4 === 1) {
      plans.push({
        position: {
          kind: 'school-canteen',
          year,
          description: `Mensa scolastica ${year} - quota trimestrale`,
          payerFiscalCode: head.fiscalCode,
          amountCents: 9_000 + Math.round(next() * 6_000),
          dueDates: [addDays(today, index % 8 === 1 ? 7 : 20)],
        },
        paid: 0,
      });
    }
    if (index % 97 === 5) {
      const notifiedDaysAgo = [2, 4, 12, 30][Math.floor(index / 97) % 4] ?? 2;
      const notifiedOn = addDays(today, -notifiedDaysAgo);
      plans.push({
        position: {
          kind: 'fine',
          year,
          description: 'Sanzione codice della strada',
          payerFiscalCode: head.fiscalCode,
          amountCents: 4_200 + Math.round(next() * 12_000),
          dueDates: [addDays(notifiedOn, 60)],
          fine: {
            plate: PLATES[index % PLATES.length] ?? 'AB123CD',
            place: PLACES[index % PLACES.length] ?? 'Via Roma',
            article: ARTICLES[index % ARTICLES.length] ?? 'art. 7 CdS',
            violatedAt: new Date(`${addDays(notifiedOn, -10)}T09:30:00Z`),
            notifiedOn,
          },
        },
        paid: 0,
      });
    }
  });

  const now = new Date(`${today}T10:00:00Z`);
  let done = 0;
  for (let start = 0; start < plans.length; start += BATCH) {
    const batch = plans.slice(start, start + BATCH);
    await database.fork({ comune }).transactional(async (tx) => {
      const created = await createPositions(
        tx,
        batch.map((plan) => plan.position),
        { comune, actor: null, createdBy: 'seed', now, fineRules: DEFAULT_FINE_RULES, emitEvents: false },
      );
      created.forEach((entry, offset) => markPaid(entry, batch[offset]?.paid ?? 0));
      await tx.flush();
    });
    done += batch.length;
    onProgress?.(done, plans.length);
  }
  return { positions: plans.length, skipped: false };
}

/** Marks the first `count` instalments paid (a few days before they were due), as history. */
function markPaid(entry: PositionWithInstalments, count: number): void {
  const paid = entry.instalments.slice(0, count);
  for (const instalment of paid) {
    const paidAt = new Date(`${addDays(instalment.dueDate, -3)}T11:00:00Z`);
    Object.assign(instalment, {
      status: 'paid',
      paidAt,
      paidAmountCents: instalment.amountCents,
      receiptId: `seed-${instalment.noticeNumber}`,
      receiptFrom: 'seed',
    } satisfies Partial<Instalment>);
  }
  if (paid.length === entry.instalments.length && paid.length > 0) {
    entry.position.status = 'paid';
    entry.position.paidAt = paid.at(-1)?.paidAt ?? null;
  } else if (
    entry.instalments.some((i) => i.status === 'unpaid' && i.dueDate < civilDate(entry.position.createdAt))
  ) {
    entry.position.status = 'expired';
  } else {
    entry.position.status = 'to-pay';
  }
}
