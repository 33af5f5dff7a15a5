import { registerEnumType } from 'type-graphql';

/** GraphQL names of domain values (which use dashes), mapped to the domain values. */
export const HazardEnum = {
  HYDROGEOLOGICAL: 'hydrogeological',
  HYDRAULIC: 'hydraulic',
  THUNDERSTORMS: 'thunderstorms',
  WIND: 'wind',
  SNOW: 'snow',
  ICE: 'ice',
  STORM_SURGE: 'storm-surge',
  AVALANCHES: 'avalanches',
  COASTAL: 'coastal',
} as const;

export const AlertColourEnum = { GREEN: 'green', YELLOW: 'yellow', ORANGE: 'orange', RED: 'red' } as const;

export const OperationalPhaseEnum = {
  ATTENTION: 'attention',
  PRE_ALARM: 'pre-alarm',
  ALARM: 'alarm',
} as const;

/** `expired` is not stored: it is an active alert whose window has passed. */
export const AlertStatusEnum = { ACTIVE: 'active', EXPIRED: 'expired', CANCELLED: 'cancelled' } as const;

export const LegalBasisEnum = { TUEL_ART_50_C5: 'tuel-art-50-c5', TUEL_ART_54_C4: 'tuel-art-54-c4' } as const;

export const OrdinanceStatusEnum = { DRAFT: 'draft', PUBLISHED: 'published' } as const;

export const TerritorialScopeKindEnum = {
  WHOLE_COMUNE: 'whole-comune',
  ZONES: 'zones',
  STREETS: 'streets',
} as const;

export const EmergencyAreaKindEnum = {
  WAITING: 'waiting',
  ASSISTANCE: 'assistance',
  STAGING: 'staging',
  LANDING: 'landing',
} as const;

registerEnumType(HazardEnum, { name: 'Hazard', description: 'Risk an alert is about.' });
registerEnumType(AlertColourEnum, {
  name: 'AlertColour',
  description: 'GREEN no expected criticality, YELLOW ordinary, ORANGE moderate, RED high (critical).',
});
registerEnumType(OperationalPhaseEnum, {
  name: 'OperationalPhase',
  description:
    'The comune’s operational phase. YELLOW and ORANGE need at least ATTENTION, RED at least PRE_ALARM.',
});
registerEnumType(AlertStatusEnum, {
  name: 'AlertStatus',
  description: 'ACTIVE until its validity ends (EXPIRED) or staff withdraw it (CANCELLED).',
});
registerEnumType(LegalBasisEnum, {
  name: 'LegalBasis',
  description: 'TUEL_ART_50_C5: art. 50 c. 5 D.Lgs. 267/2000; TUEL_ART_54_C4: art. 54 c. 4 D.Lgs. 267/2000.',
});
registerEnumType(OrdinanceStatusEnum, {
  name: 'OrdinanceStatus',
  description: 'DRAFT (civil-protection staff only) or PUBLISHED (public and immutable).',
});
registerEnumType(TerritorialScopeKindEnum, { name: 'TerritorialScopeKind' });
registerEnumType(EmergencyAreaKindEnum, {
  name: 'EmergencyAreaKind',
  description:
    'WAITING (aree di attesa, where people gather first), ASSISTANCE (aree di assistenza), ' +
    'STAGING (aree di ammassamento soccorritori), LANDING (helicopter landing zones).',
});
