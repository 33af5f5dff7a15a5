import { registerGraphQLEnum } from '@sportello/platform';
import { ALERT_COLOURS, ALERT_PHASES, HAZARDS } from '@sportello/schema';
import { EMERGENCY_AREA_KINDS } from '../domain/emergency-area.js';
import { LEGAL_BASES, ORDINANCE_STATUSES, SCOPE_KINDS } from '../domain/ordinance.js';

export const HazardEnum = registerGraphQLEnum(HAZARDS, {
  name: 'Hazard',
  description: 'Risk an alert is about.',
  values: {
    HYDROGEOLOGICAL: 'Landslides and flash floods of small streams.',
    HYDRAULIC: 'Flooding of the main rivers.',
    THUNDERSTORMS: 'Thunderstorms.',
    WIND: 'Strong wind.',
    SNOW: 'Snow.',
    ICE: 'Ice and frost.',
    STORM_SURGE: 'Storm surge (mareggiata).',
    AVALANCHES: 'Avalanches.',
    COASTAL: 'Coastal hazards.',
  },
});

export const AlertColourEnum = registerGraphQLEnum(ALERT_COLOURS, {
  name: 'AlertColour',
  description: 'GREEN no expected criticality, YELLOW ordinary, ORANGE moderate, RED high (critical).',
  values: {
    GREEN: 'No expected criticality.',
    YELLOW: 'Ordinary, localised criticality.',
    ORANGE: 'Moderate criticality.',
    RED: 'High criticality: reaches every resident of the zones, whatever their preferences.',
  },
});

export const OperationalPhaseEnum = registerGraphQLEnum(ALERT_PHASES, {
  name: 'OperationalPhase',
  description:
    'The comune’s operational phase. YELLOW and ORANGE need at least ATTENTION, RED at least PRE_ALARM.',
  values: {
    ATTENTION: 'Attenzione: the situation is watched.',
    PRE_ALARM: 'Preallarme: the comune’s operations centre is activated.',
    ALARM: 'Allarme: the emergency plan is in action.',
  },
});

/** `expired` is not stored: it is an active alert whose window has passed. */
export const AlertStatusEnum = registerGraphQLEnum(['active', 'expired', 'cancelled'], {
  name: 'AlertStatus',
  description: 'ACTIVE until its validity ends (EXPIRED) or staff withdraw it (CANCELLED).',
  values: {
    ACTIVE: 'Issued and not past its validity.',
    EXPIRED: 'Its validity window has passed.',
    CANCELLED: 'Withdrawn by staff.',
  },
});

export const LegalBasisEnum = registerGraphQLEnum(LEGAL_BASES, {
  name: 'LegalBasis',
  description: 'TUEL_ART_50_C5: art. 50 c. 5 D.Lgs. 267/2000; TUEL_ART_54_C4: art. 54 c. 4 D.Lgs. 267/2000.',
  values: {
    TUEL_ART_50_C5: 'Art. 50 c. 5 D.Lgs. 267/2000: the mayor as head of the local community.',
    TUEL_ART_54_C4: 'Art. 54 c. 4 D.Lgs. 267/2000: the mayor as government officer.',
  },
});

export const OrdinanceStatusEnum = registerGraphQLEnum(ORDINANCE_STATUSES, {
  name: 'OrdinanceStatus',
  description: 'DRAFT (civil-protection staff only) or PUBLISHED (public and immutable).',
  values: {
    DRAFT: 'Being written; visible to civil-protection staff only.',
    PUBLISHED: 'Published on the Albo Pretorio; public and immutable.',
  },
});

export const TerritorialScopeKindEnum = registerGraphQLEnum(SCOPE_KINDS, {
  name: 'TerritorialScopeKind',
  description: 'How the area an ordinance applies to is given.',
  values: {
    WHOLE_COMUNE: 'The whole comune.',
    ZONES: 'The zones listed in zoneCodes.',
    STREETS: 'The streets listed in streets.',
  },
});

export const EmergencyAreaKindEnum = registerGraphQLEnum(EMERGENCY_AREA_KINDS, {
  name: 'EmergencyAreaKind',
  description:
    'WAITING (aree di attesa, where people gather first), ASSISTANCE (aree di assistenza), ' +
    'STAGING (aree di ammassamento soccorritori), LANDING (helicopter landing zones).',
  values: {
    WAITING: 'Aree di attesa: where people gather first.',
    ASSISTANCE: 'Aree di assistenza: where displaced people are sheltered.',
    STAGING: 'Aree di ammassamento soccorritori: where rescuers and their means gather.',
    LANDING: 'Helicopter landing zones.',
  },
});
