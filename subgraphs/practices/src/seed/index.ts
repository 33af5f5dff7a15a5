import type { Database, EntityManager, TerritoryGeometry } from '@sportello/platform';
import type { PracticeStatus } from '@sportello/schema';
import { PRACTICE_TYPE_CATALOGUE } from '../domain/catalogue.js';
import { nextProtocolNumber } from '../domain/protocol.js';
import { setComuneTerritory } from '../domain/report-operations.js';
import { checkTransition, type PracticeAction } from '../domain/workflow.js';
import { OfficeCalendarEntity } from '../entities/appointment.entity.js';
import { PracticeChangeEntity, PracticeEntity } from '../entities/practice.entity.js';
import { PracticeTypeEntity } from '../entities/practice-type.entity.js';
import { ReportChangeEntity, ReportEntity } from '../entities/report.entity.js';

/** The part of a generated resident the seed uses (the hub's DemoPerson fits). */
export interface PracticesSeedPerson {
  fiscalCode: string;
  relationship: 'head' | 'spouse' | 'child' | 'parent' | 'cohabitant';
  birthDate: string;
  address: { street: string; number: string; postcode: string };
}

/** What the hub knows of the town it generated. */
export interface PracticesSeed {
  /** The comune (the hub's DemoComune fits). */
  comune: {
    istat: string;
    name: string;
    centre: { lat: number; lon: number };
    /** The comune's zones, tiling its territory: reports must lie in one of them. */
    zones?: ReadonlyArray<{ geometry: TerritoryGeometry }>;
  };
  people: readonly PracticesSeedPerson[];
  /** How many demo practices to file. @default 40 */
  practices?: number;
  /** @default now */
  now?: Date;
  timeZone?: string;
}

export interface PracticesSeedResult {
  types: number;
  calendars: number;
  practices: number;
  reports: number;
}

/** The actions leading a new practice to each seeded status, and who takes them. */
const PATHS: ReadonlyArray<{
  to: PracticeStatus;
  steps: Array<[PracticeAction, 'citizen' | 'staff' | 'system']>;
}> = [
  { to: 'draft', steps: [] },
  {
    to: 'registered',
    steps: [
      ['submit', 'citizen'],
      ['register', 'system'],
    ],
  },
  {
    to: 'taken-in-charge',
    steps: [
      ['submit', 'citizen'],
      ['register', 'system'],
      ['take-in-charge', 'staff'],
    ],
  },
  {
    to: 'integration-requested',
    steps: [
      ['submit', 'citizen'],
      ['register', 'system'],
      ['take-in-charge', 'staff'],
      ['request-integration', 'staff'],
    ],
  },
  {
    to: 'processing',
    steps: [
      ['submit', 'citizen'],
      ['register', 'system'],
      ['take-in-charge', 'staff'],
      ['start-processing', 'staff'],
    ],
  },
  {
    to: 'accepted',
    steps: [
      ['submit', 'citizen'],
      ['register', 'system'],
      ['take-in-charge', 'staff'],
      ['start-processing', 'staff'],
      ['accept', 'staff'],
    ],
  },
  {
    to: 'rejected',
    steps: [
      ['submit', 'citizen'],
      ['register', 'system'],
      ['take-in-charge', 'staff'],
      ['reject', 'staff'],
    ],
  },
  {
    to: 'withdrawn',
    steps: [
      ['submit', 'citizen'],
      ['register', 'system'],
      ['withdraw', 'citizen'],
    ],
  },
];

const NOTES: Partial<Record<PracticeAction, string>> = {
  'request-integration': 'Allegare copia leggibile del documento di identità in corso di validità.',
  reject: 'La richiesta non rientra nei requisiti previsti dal regolamento comunale.',
  accept: 'Istanza accolta.',
  withdraw: 'Non più necessaria.',
};

const OFFICE_HOURS = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:30', closes: '12:30' }));

const REPORTS = [
  ['road-damage', 'Buca profonda sulla carreggiata, pericolosa per i ciclisti.', 'in-progress'],
  ['street-lighting', 'Lampione spento da una settimana all’incrocio.', 'received'],
  ['waste', 'Rifiuti abbandonati accanto ai cassonetti.', 'resolved'],
  ['green-areas', 'Ramo spezzato sopra la panchina del parco giochi.', 'taken-in-charge'],
  ['graffiti', 'Scritte sul muro della scuola elementare.', 'received'],
  ['road-signs', 'Cartello di stop piegato e poco visibile.', 'rejected'],
] as const;

/**
 * Seeds the comune's practice-type catalogue, office calendars, demo practices in every kind of
 * state (with their timelines and protocol numbers) and a few reports. Idempotent: a comune that
 * already has practice types is left as it is. Demo history records no events.
 */
function addCatalogue(em: EntityManager, comune: string): void {
  for (const type of PRACTICE_TYPE_CATALOGUE) {
    em.create(PracticeTypeEntity, { comune, ...type, active: true });
  }
}

/**
 * Sets a production comune up with the practice types of the catalogue (reference data, no demo
 * practices or calendars). Idempotent: a comune with any practice type is left as it is.
 * @returns how many types were added
 */
export async function setUpPracticeTypes(database: Database, comune: string): Promise<number> {
  const em = database.fork({ comune });
  if ((await em.count(PracticeTypeEntity, {})) > 0) return 0;
  addCatalogue(em, comune);
  await em.flush();
  return PRACTICE_TYPE_CATALOGUE.length;
}

export async function seedPractices(
  database: Database,
  seed: PracticesSeed,
  onProgress?: (done: number, total: number) => void,
): Promise<PracticesSeedResult> {
  const comune = seed.comune.istat;
  const em = database.fork({ comune });
  const now = seed.now ?? new Date();
  const zones = seed.comune.zones ?? [];
  if (zones.length > 0) {
    await setComuneTerritory(
      em,
      comune,
      seed.comune.name,
      {
        type: 'MultiPolygon',
        coordinates: zones.flatMap(({ geometry }) =>
          geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates,
        ),
      },
      now,
    );
  }
  const none = { types: 0, calendars: 0, practices: 0, reports: 0 };
  if ((await em.count(PracticeTypeEntity, {})) > 0) return none;
  const timeZone = seed.timeZone ?? 'Europe/Rome';
  const adults = seed.people.filter((p) => p.relationship !== 'child');
  const practiceCount = adults.length === 0 ? 0 : (seed.practices ?? 40);
  const total = PRACTICE_TYPE_CATALOGUE.length + 4 + practiceCount + REPORTS.length;
  let done = 0;
  const progress = (n: number) => {
    done += n;
    onProgress?.(done, total);
  };

  addCatalogue(em, comune);
  const closedDays = [
    `${now.getUTCFullYear()}-12-25`,
    `${now.getUTCFullYear()}-12-26`,
    `${now.getUTCFullYear() + 1}-01-01`,
  ];
  const calendars: Array<[string, string, number]> = [
    ['anagrafe', 'Ufficio anagrafe - sportello', 15],
    ['tributi', 'Ufficio tributi', 20],
    ['suap', 'SUAP - ricevimento tecnici', 30],
    ['practices', 'URP - ufficio relazioni con il pubblico', 15],
  ];
  for (const [office, name, slotMinutes] of calendars) {
    em.create(OfficeCalendarEntity, {
      comune,
      office,
      name,
      location: `Municipio di ${seed.comune.name}`,
      slotMinutes,
      openingHours:
        office === 'anagrafe'
          ? [...OFFICE_HOURS, { weekday: 4, opens: '15:00', closes: '17:30' }]
          : OFFICE_HOURS,
      closedDays,
      timeZone,
    });
  }
  await em.flush();
  progress(PRACTICE_TYPE_CATALOGUE.length + calendars.length);

  // Free types only: a demo practice past the draft with a fee would be registered unpaid.
  const generic = PRACTICE_TYPE_CATALOGUE.filter(
    (type) => 'subject' in ((type.formSchema['properties'] as object) ?? {}) && type.feeCents === null,
  );
  await em.transactional(async (tx) => {
    for (let i = 0; i < practiceCount; i++) {
      const person = adults[(i * 7) % adults.length]!;
      const type = generic[i % generic.length]!;
      const path = PATHS[i % PATHS.length]!;
      const createdAt = new Date(now.getTime() - (practiceCount - i) * 3_600_000 * 7);
      const practice = tx.create(PracticeEntity, {
        comune,
        typeCode: type.code,
        office: type.office,
        status: 'draft',
        applicantFiscalCode: person.fiscalCode,
        onBehalfOfFiscalCode: null,
        data: {
          subject: type.title,
          email: `cittadino${i}@example.org`,
          address: {
            street: person.address.street,
            number: person.address.number,
            postcode: person.address.postcode,
          },
        },
        protocolNumber: null,
        registeredAt: null,
        submittedAt: null,
        outcomeReason: null,
        changeCount: 0,
        createdAt,
        updatedAt: createdAt,
      });
      const change = (
        action: string,
        from: PracticeStatus | null,
        to: PracticeStatus,
        actorKind: string,
        actorId: string,
        note: string | null,
        protocolNumber: string | null,
      ) => {
        tx.create(PracticeChangeEntity, {
          comune,
          practiceId: practice.id,
          sequence: practice.changeCount,
          at: createdAt,
          action,
          fromStatus: from,
          toStatus: to,
          actorKind,
          actorId,
          note,
          protocolNumber,
        });
        practice.changeCount += 1;
      };
      change('create', null, 'draft', 'citizen', 'demo-citizen', null, null);
      for (const [action, role] of path.steps) {
        const check = checkTransition(practice.status, action, role, NOTES[action] ?? 'nota');
        if (!check.ok) throw new Error(`demo path to ${path.to} breaks the workflow at ${action}`);
        const number =
          action === 'register' ? await nextProtocolNumber(tx, comune, createdAt.getUTCFullYear()) : null;
        const actorId =
          role === 'staff' ? `${type.office}.operatore` : role === 'system' ? 'protocol' : 'demo-citizen';
        change(action, practice.status, check.transition.to, role, actorId, NOTES[action] ?? null, number);
        practice.status = check.transition.to;
        if (action === 'submit') practice.submittedAt = createdAt;
        if (number !== null) {
          practice.protocolNumber = number;
          practice.registeredAt = createdAt;
        }
        if (action === 'accept' || action === 'reject') practice.outcomeReason = NOTES[action] ?? null;
      }
      if ((i + 1) % 200 === 0) await tx.flush();
    }
  });
  progress(practiceCount);

  REPORTS.forEach(([category, description, status], i) => {
    const reporter = adults[(i * 11) % Math.max(adults.length, 1)];
    const at = new Date(now.getTime() - (i + 1) * 86_400_000);
    const report = em.create(ReportEntity, {
      comune,
      category,
      description,
      latitude: Number((seed.comune.centre.lat + (i - 3) * 0.002).toFixed(6)),
      longitude: Number((seed.comune.centre.lon + (i % 3) * 0.002).toFixed(6)),
      address: reporter ? `${reporter.address.street} ${reporter.address.number}` : null,
      reporterFiscalCode: reporter?.fiscalCode ?? null,
      status,
      createdAt: at,
      updatedAt: at,
    });
    em.create(ReportChangeEntity, {
      comune,
      reportId: report.id,
      at,
      fromStatus: null,
      toStatus: 'received',
      actorKind: 'citizen',
      actorId: 'demo-citizen',
      note: null,
    });
    if (status !== 'received') {
      em.create(ReportChangeEntity, {
        comune,
        reportId: report.id,
        at,
        fromStatus: 'received',
        toStatus: status,
        actorKind: 'staff',
        actorId: 'practices.operatore',
        note: status === 'rejected' ? 'Segnalazione di competenza della Provincia.' : null,
      });
    }
  });
  await em.flush();
  progress(REPORTS.length);
  return {
    types: PRACTICE_TYPE_CATALOGUE.length,
    calendars: calendars.length,
    practices: practiceCount,
    reports: REPORTS.length,
  };
}
