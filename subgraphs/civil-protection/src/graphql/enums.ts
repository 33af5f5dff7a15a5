import { graphqlEnumOf } from '@sportello/platform';
import { ALERT_COLOURS, ALERT_PHASES, HAZARDS } from '@sportello/schema';
import { registerEnumType } from 'type-graphql';

/** GraphQL names of domain values (which use dashes), mapped to the domain values. */
export const HazardEnum = graphqlEnumOf(HAZARDS);

export const AlertColourEnum = graphqlEnumOf(ALERT_COLOURS);

export const OperationalPhaseEnum = graphqlEnumOf(ALERT_PHASES);

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

registerEnumType(HazardEnum, {
  name: 'Hazard',
  description: 'Risk an alert is about.',
  valuesConfig: {
    HYDROGEOLOGICAL: { description: 'Landslides and flash floods of small streams.' },
    HYDRAULIC: { description: 'Flooding of the main rivers.' },
    THUNDERSTORMS: { description: 'Thunderstorms.' },
    WIND: { description: 'Strong wind.' },
    SNOW: { description: 'Snow.' },
    ICE: { description: 'Ice and frost.' },
    STORM_SURGE: { description: 'Storm surge (mareggiata).' },
    AVALANCHES: { description: 'Avalanches.' },
    COASTAL: { description: 'Coastal hazards.' },
  },
});
registerEnumType(AlertColourEnum, {
  name: 'AlertColour',
  description: 'GREEN no expected criticality, YELLOW ordinary, ORANGE moderate, RED high (critical).',
  valuesConfig: {
    GREEN: { description: 'No expected criticality.' },
    YELLOW: { description: 'Ordinary, localised criticality.' },
    ORANGE: { description: 'Moderate criticality.' },
    RED: {
      description: 'High criticality: reaches every resident of the zones, whatever their preferences.',
    },
  },
});
registerEnumType(OperationalPhaseEnum, {
  name: 'OperationalPhase',
  description:
    'The comune’s operational phase. YELLOW and ORANGE need at least ATTENTION, RED at least PRE_ALARM.',
  valuesConfig: {
    ATTENTION: { description: 'Attenzione: the situation is watched.' },
    PRE_ALARM: { description: 'Preallarme: the comune’s operations centre is activated.' },
    ALARM: { description: 'Allarme: the emergency plan is in action.' },
  },
});
registerEnumType(AlertStatusEnum, {
  name: 'AlertStatus',
  description: 'ACTIVE until its validity ends (EXPIRED) or staff withdraw it (CANCELLED).',
  valuesConfig: {
    ACTIVE: { description: 'Issued and not past its validity.' },
    EXPIRED: { description: 'Its validity window has passed.' },
    CANCELLED: { description: 'Withdrawn by staff.' },
  },
});
registerEnumType(LegalBasisEnum, {
  name: 'LegalBasis',
  description: 'TUEL_ART_50_C5: art. 50 c. 5 D.Lgs. 267/2000; TUEL_ART_54_C4: art. 54 c. 4 D.Lgs. 267/2000.',
  valuesConfig: {
    TUEL_ART_50_C5: {
      description: 'Art. 50 c. 5 D.Lgs. 267/2000: the mayor as head of the local community.',
    },
    TUEL_ART_54_C4: { description: 'Art. 54 c. 4 D.Lgs. 267/2000: the mayor as government officer.' },
  },
});
registerEnumType(OrdinanceStatusEnum, {
  name: 'OrdinanceStatus',
  description: 'DRAFT (civil-protection staff only) or PUBLISHED (public and immutable).',
  valuesConfig: {
    DRAFT: { description: 'Being written; visible to civil-protection staff only.' },
    PUBLISHED: { description: 'Published on the Albo Pretorio; public and immutable.' },
  },
});
registerEnumType(TerritorialScopeKindEnum, {
  name: 'TerritorialScopeKind',
  description: 'How the area an ordinance applies to is given.',
  valuesConfig: {
    WHOLE_COMUNE: { description: 'The whole comune.' },
    ZONES: { description: 'The zones listed in zoneCodes.' },
    STREETS: { description: 'The streets listed in streets.' },
  },
});
registerEnumType(EmergencyAreaKindEnum, {
  name: 'EmergencyAreaKind',
  description:
    'WAITING (aree di attesa, where people gather first), ASSISTANCE (aree di assistenza), ' +
    'STAGING (aree di ammassamento soccorritori), LANDING (helicopter landing zones).',
  valuesConfig: {
    WAITING: { description: 'Aree di attesa: where people gather first.' },
    ASSISTANCE: { description: 'Aree di assistenza: where displaced people are sheltered.' },
    STAGING: { description: 'Aree di ammassamento soccorritori: where rescuers and their means gather.' },
    LANDING: { description: 'Helicopter landing zones.' },
  },
});
