import { RESIDENCE_CHANGE_STATUSES } from '@sportello/schema';
import { registerEnumType } from 'type-graphql';
import { CERTIFICATE_KINDS, STAMP_DUTY_EXEMPTION_GROUNDS } from '../domain/certificate-rules.js';
import { CIVIL_STATUSES, RELATIONSHIPS } from '../entities/resident.entity.js';

/** `{ SOME_NAME: 'some-name' }`: GraphQL enum names for the domain's dashed values. */
function enumOf<const V extends string>(values: readonly V[]): Record<string, V> {
  return Object.fromEntries(values.map((value) => [value.toUpperCase().replace(/-/g, '_'), value]));
}

export const DocumentKindEnum = { CIE: 'CIE', PAPER: 'paper' } as const;
export const CertificateKindEnum = enumOf(CERTIFICATE_KINDS);
export const StampDutyExemptionEnum = enumOf(STAMP_DUTY_EXEMPTION_GROUNDS);
export const StampDutyEnum = { PAID: 'paid', EXEMPT: 'exempt' } as const;
export const ResidenceChangeStatusEnum = enumOf(RESIDENCE_CHANGE_STATUSES);
export const CivilStatusEnum = enumOf(CIVIL_STATUSES);
export const RelationshipEnum = enumOf(RELATIONSHIPS);

registerEnumType(DocumentKindEnum, {
  name: 'IdentityDocumentKind',
  description: 'CIE (electronic) or paper identity card.',
  valuesConfig: {
    CIE: { description: 'Electronic identity card (Carta d’identità elettronica).' },
    PAPER: { description: 'Paper identity card; no longer valid from 2026-08-03 whatever date it shows.' },
  },
});
registerEnumType(CertificateKindEnum, {
  name: 'CertificateKind',
  description: 'Certificates issued online; several in one request make a contestuale certificate.',
});
registerEnumType(StampDutyExemptionEnum, {
  name: 'StampDutyExemption',
  description:
    'Grounds for exemption from the 16 EUR stamp duty; the legal reference is printed on the certificate.',
});
registerEnumType(StampDutyEnum, {
  name: 'StampDuty',
  description: 'How the 16 EUR stamp duty of a certificate was settled.',
  valuesConfig: {
    PAID: { description: 'The stamp duty is due and was paid.' },
    EXEMPT: { description: 'An exemption applies; its ground is printed on the certificate.' },
  },
});
registerEnumType(ResidenceChangeStatusEnum, {
  name: 'ResidenceChangeStatus',
  description: 'Where a change-of-residence declaration stands.',
  valuesConfig: {
    DECLARED: { description: 'Declared by the citizen; the office registers it within 2 working days.' },
    REGISTERED: {
      description: 'Registered: the new address applies from the declaration day; checks run for 45 days.',
    },
    OBSTACLES_NOTIFIED: { description: 'The checks found obstacles; the citizen has 10 days to answer.' },
    ACCEPTED: { description: 'Confirmed, explicitly or by silence after 45 days.' },
    REJECTED: { description: 'Rejected; the previous addresses are restored.' },
    WITHDRAWN: { description: 'Withdrawn by the applicant before an outcome.' },
  },
});
registerEnumType(CivilStatusEnum, {
  name: 'CivilStatus',
  description: 'Civil status as recorded in the registry.',
  valuesConfig: {
    SINGLE: { description: 'Never married nor in a civil union.' },
    MARRIED: { description: 'Married.' },
    CIVIL_UNION: { description: 'In a civil union.' },
    WIDOWED: { description: 'Widowed.' },
    DIVORCED: { description: 'Divorced.' },
    SEPARATED: { description: 'Legally separated.' },
  },
});
registerEnumType(RelationshipEnum, {
  name: 'FamilyRelationship',
  description: 'Relationship to the head of the family (intestatario della scheda).',
});
