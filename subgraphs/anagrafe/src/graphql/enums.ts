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
registerEnumType(StampDutyEnum, { name: 'StampDuty' });
registerEnumType(ResidenceChangeStatusEnum, { name: 'ResidenceChangeStatus' });
registerEnumType(CivilStatusEnum, { name: 'CivilStatus' });
registerEnumType(RelationshipEnum, {
  name: 'FamilyRelationship',
  description: 'Relationship to the head of the family (intestatario della scheda).',
});
