import type { EntityManager } from '@sportello/platform';
import type { EmergencyAreaKind, GeoPoint } from '../domain/emergency-area.js';
import { sha256Hex } from '../domain/ordinance-documents.js';
import { DEFAULT_APPEAL_CLAUSE, LEGAL_BASIS_CITATIONS } from '../domain/ordinance.js';
import { readZoneGeometry, type ZoneGeometry } from '../domain/zone-geometry.js';
import { AlertZoneEntity } from '../entities/alert-zone.entity.js';
import { EmergencyAreaEntity, EmergencyNumberEntity } from '../entities/emergency-area.entity.js';
import {
  OrdinanceDocumentContentEntity,
  OrdinanceDocumentEntity,
} from '../entities/ordinance-document.entity.js';
import { OrdinanceEntity } from '../entities/ordinance.entity.js';
import { plainTextPdf } from './plain-text-pdf.js';

/** A zone of the demo comune. */
export interface SeedZone {
  code: string;
  name: string;
  /** The regional alert zone it falls in, e.g. `Piem-M`. */
  regionalAlertZone?: string | null;
  /** Its shape (GeoJSON Polygon or MultiPolygon, `[lon, lat]`); checked and normalised like an import. */
  geometry?: ZoneGeometry | null;
  /** A point inside the zone: its waiting area is placed there. */
  centre?: GeoPoint;
}

/** A seed zone's shape, normalised; a bad one is a bug in the seed. */
function seedGeometry(zone: SeedZone): ZoneGeometry | null {
  if (zone.geometry === undefined || zone.geometry === null) return null;
  const violations: Array<{ field: string; message: string }> = [];
  const geometry = readZoneGeometry(zone.geometry, `zone ${zone.code}`, violations);
  if (geometry === null) throw new Error(violations.map((v) => `${v.field}: ${v.message}`).join('; '));
  return geometry;
}

/** What the hub knows of the town it generated. */
export interface CivilProtectionSeed {
  /** ISTAT code; the EntityManager must be scoped to it. */
  comune: string;
  comuneName: string;
  /** The zone codes anagrafe also stores on each residence. At least one. */
  zones: readonly SeedZone[];
  /** Centre of the town; the plan's areas are laid out around it. */
  centre: GeoPoint;
  /** @default now */
  now?: Date;
}

/** What the seed wrote (nothing when the comune already had a plan). */
export interface SeedResult {
  zones: number;
  areas: number;
  numbers: number;
  ordinances: number;
}

/** A point `north` and `east` metres from `origin` (small distances, flat-earth approximation). */
function offset(origin: GeoPoint, north: number, east: number): GeoPoint {
  const latitude = origin.latitude + north / 111_320;
  const longitude = origin.longitude + east / (111_320 * Math.cos((origin.latitude * Math.PI) / 180));
  return { latitude: Number(latitude.toFixed(6)), longitude: Number(longitude.toFixed(6)) };
}

const WAITING_PLACES = [
  'Piazza del Municipio',
  'Parcheggio della scuola primaria',
  'Giardini pubblici',
  'Piazza della Chiesa',
  'Campo sportivo',
];

/**
 * Writes a realistic civil protection plan for a small comune: its zones (with their shapes and
 * regional alert zones when given), one waiting area per zone plus assistance, staging and landing
 * areas, the comune's own emergency numbers, and one published ordinance with its signed text as
 * PDF. Idempotent: a comune that already has zones is left as it is, except that zones seeded
 * before they had shapes or regional alert zones get them.
 *
 * @throws Error when no zone is given (alerts need zones to address residents).
 */
export async function seedCivilProtection(em: EntityManager, seed: CivilProtectionSeed): Promise<SeedResult> {
  if (seed.zones.length === 0) throw new Error('seedCivilProtection needs at least one zone');
  const known = await em.find(AlertZoneEntity, {});
  if (known.length > 0) {
    for (const zone of known) {
      const given = seed.zones.find((candidate) => candidate.code === zone.code);
      if (given === undefined) continue;
      if (!zone.geometry) em.assign(zone, { geometry: seedGeometry(given) });
      if (!zone.regionalAlertZone) em.assign(zone, { regionalAlertZone: given.regionalAlertZone ?? null });
    }
    await em.flush();
    return { zones: 0, areas: 0, numbers: 0, ordinances: 0 };
  }
  const now = seed.now ?? new Date();
  const comune = seed.comune;

  for (const zone of seed.zones) {
    em.create(AlertZoneEntity, {
      comune,
      code: zone.code,
      name: zone.name,
      regionalAlertZone: zone.regionalAlertZone ?? null,
      description: null,
      geometry: seedGeometry(zone),
    });
  }

  const areas: Array<{
    code: string;
    name: string;
    kind: EmergencyAreaKind;
    at: GeoPoint;
    capacity: number | null;
    zoneCode: string | null;
    address: string | null;
  }> = [];
  seed.zones.forEach((zone, index) => {
    // Waiting areas ring the centre, one per zone, 300-700 m out.
    const angle = (2 * Math.PI * index) / seed.zones.length;
    const distance = 300 + 100 * (index % 5);
    areas.push({
      code: `AA-${String(index + 1).padStart(2, '0')}`,
      name: `Area di attesa ${WAITING_PLACES[index % WAITING_PLACES.length]!} (${zone.name})`,
      kind: 'waiting',
      at: zone.centre ?? offset(seed.centre, distance * Math.cos(angle), distance * Math.sin(angle)),
      capacity: 150 + 50 * (index % 4),
      zoneCode: zone.code,
      address: WAITING_PLACES[index % WAITING_PLACES.length]!,
    });
  });
  areas.push(
    {
      code: 'AR-01',
      name: 'Palestra comunale',
      kind: 'assistance',
      at: offset(seed.centre, 450, -350),
      capacity: 300,
      zoneCode: null,
      address: 'Via dello Sport 2',
    },
    {
      code: 'AR-02',
      name: 'Scuola secondaria di primo grado',
      kind: 'assistance',
      at: offset(seed.centre, -600, 200),
      capacity: 220,
      zoneCode: null,
      address: 'Via della Scuola 8',
    },
    {
      code: 'AM-01',
      name: 'Area ammassamento soccorritori - zona artigianale',
      kind: 'staging',
      at: offset(seed.centre, -1200, 900),
      capacity: 500,
      zoneCode: null,
      address: 'Via dell’Artigianato',
    },
    {
      code: 'EL-01',
      name: 'Elisuperficie campo sportivo',
      kind: 'landing',
      at: offset(seed.centre, 900, 1100),
      capacity: null,
      zoneCode: null,
      address: 'Località Campo Sportivo',
    },
  );
  for (const area of areas) {
    em.create(EmergencyAreaEntity, {
      comune,
      code: area.code,
      name: area.name,
      kind: area.kind,
      latitude: area.at.latitude,
      longitude: area.at.longitude,
      capacity: area.capacity,
      address: area.address,
      zoneCode: area.zoneCode,
    });
  }

  const numbers = [
    { number: '0000 000001', label: `Polizia Locale di ${seed.comuneName}` },
    { number: '0000 000002', label: 'Reperibilità protezione civile comunale (24 ore)' },
  ];
  numbers.forEach((entry, position) => em.create(EmergencyNumberEntity, { comune, ...entry, position }));

  const year = now.getUTCFullYear();
  const adopted = new Date(now.getTime() - 2 * 86_400_000);
  const ordinance = em.create(OrdinanceEntity, {
    comune,
    status: 'published',
    number: 1,
    year,
    protocolNumber: `${year}/0000123`,
    adoptedOn: adopted.toISOString().slice(0, 10),
    subject: 'Chiusura di parchi, giardini pubblici e cimitero per forte vento',
    legalBasis: 'tuel-art-54-c4',
    reasons:
      'Visto il bollettino di allerta regionale che prevede venti di burrasca con raffiche fino a 90 km/h; ' +
      'considerato il pericolo di caduta di alberi e rami nelle aree verdi; ritenuto necessario tutelare ' +
      'l’incolumità pubblica.',
    measures: [
      'La chiusura al pubblico di parchi, giardini pubblici e aree gioco comunali',
      'La chiusura del cimitero comunale',
      'Il divieto di sosta sotto le alberature stradali',
    ],
    effectiveFrom: adopted,
    effectiveUntil: new Date(adopted.getTime() + 2 * 86_400_000),
    scopeKind: 'whole-comune',
    zoneCodes: [],
    streets: [],
    alertId: null,
    correctsId: null,
    enforcingBody: `Polizia Locale di ${seed.comuneName}`,
    appealClause: DEFAULT_APPEAL_CLAUSE,
    addressees: 'La cittadinanza; Polizia Locale; Ufficio tecnico comunale',
    publishedAt: adopted,
    createdBy: 'seed',
    createdAt: adopted,
    updatedAt: adopted,
  });

  const text = plainTextPdf([
    `COMUNE DI ${seed.comuneName.toUpperCase()}`,
    `Ordinanza sindacale contingibile e urgente n. 1/${year} (prot. ${ordinance.protocolNumber ?? ''})`,
    `Oggetto: ${ordinance.subject}.`,
    `IL SINDACO, ai sensi dell'${LEGAL_BASIS_CITATIONS[ordinance.legalBasis]}; ${ordinance.reasons}`,
    'ORDINA',
    ...ordinance.measures.map((measure, index) => `${index + 1}. ${measure}.`),
    `La presente ordinanza è eseguita da: ${ordinance.enforcingBody}.`,
    ordinance.appealClause,
    'Documento dimostrativo generato da Sportello.',
  ]);
  const document = em.create(OrdinanceDocumentEntity, {
    comune,
    ordinanceId: ordinance.id,
    title: 'Testo dell’ordinanza',
    fileName: `ordinanza-1-${year}.pdf`,
    mediaType: 'application/pdf',
    bytes: text.length,
    sha256: sha256Hex(text),
    position: 0,
    uploadedBy: 'seed',
    uploadedAt: adopted,
  });
  em.create(OrdinanceDocumentContentEntity, { id: document.id, comune, content: text });

  await em.flush();
  return { zones: seed.zones.length, areas: areas.length, numbers: numbers.length, ordinances: 1 };
}
