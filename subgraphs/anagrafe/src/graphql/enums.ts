import { RESIDENCE_CHANGE_STATUSES } from '@sportello/schema';
import { graphqlEnumOf } from '@sportello/platform';
import { registerEnumType } from 'type-graphql';
import { CERTIFICATE_KINDS, STAMP_DUTY_EXEMPTION_GROUNDS } from '../domain/certificate-rules.js';
import { CIVIL_STATUSES, RELATIONSHIPS } from '../entities/resident.entity.js';

export const DocumentKindEnum = { CIE: 'CIE', PAPER: 'paper' } as const;
export const CertificateKindEnum = graphqlEnumOf(CERTIFICATE_KINDS);
export const StampDutyExemptionEnum = graphqlEnumOf(STAMP_DUTY_EXEMPTION_GROUNDS);
export const StampDutyEnum = { PAID: 'paid', EXEMPT: 'exempt' } as const;
export const ResidenceChangeStatusEnum = graphqlEnumOf(RESIDENCE_CHANGE_STATUSES);
export const CivilStatusEnum = graphqlEnumOf(CIVIL_STATUSES);
export const RelationshipEnum = graphqlEnumOf(RELATIONSHIPS);

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
  valuesConfig: {
    BIRTH: {
      description: 'Certificato anagrafico di nascita (birth); exempt from stamp duty, valid without limit.',
    },
    MARRIAGE: { description: 'Certificato anagrafico di matrimonio (marriage); exempt from stamp duty.' },
    CITIZENSHIP: { description: 'Cittadinanza (citizenship).' },
    EXISTENCE: { description: 'Esistenza in vita (being alive).' },
    RESIDENCE: { description: 'Residenza (residence).' },
    RESIDENCE_AIRE: { description: 'Residenza AIRE (Italians resident abroad).' },
    CIVIL_STATUS: { description: 'Stato civile (civil status); exempt from stamp duty.' },
    FAMILY: { description: 'Stato di famiglia (family composition).' },
    FAMILY_CIVIL_STATUS: { description: 'Stato di famiglia e di stato civile.' },
    RESIDENCE_COHABITATION: {
      description: 'Residenza in convivenza (residence in a cohabitation, e.g. a community).',
    },
    FAMILY_AIRE: { description: 'Stato di famiglia AIRE.' },
    FAMILY_RELATIONSHIPS: {
      description: 'Stato di famiglia con rapporti di parentela (with relationships).',
    },
    FREE_STATUS: { description: 'Stato libero (free to marry).' },
    CIVIL_UNION: {
      description: 'Certificato anagrafico di unione civile (civil union); exempt from stamp duty.',
    },
    COHABITATION_AGREEMENT: { description: 'Contratto di convivenza (cohabitation agreement).' },
  },
});
registerEnumType(StampDutyExemptionEnum, {
  name: 'StampDutyExemption',
  description:
    'Grounds for exemption from the 16 EUR stamp duty; the legal reference is printed on the certificate.',
  valuesConfig: {
    PENSION: { description: 'Pension use (art. 9 Tabella B D.P.R. 642/1972).' },
    LABOUR_DISPUTE: { description: 'Labour disputes (art. 12 Tabella B D.P.R. 642/1972).' },
    FAMILY_ALLOWANCE: { description: 'Family allowances (art. 9 Tabella B D.P.R. 642/1972).' },
    SEPARATION_DIVORCE: { description: 'Separation and divorce (art. 19 L. 74/1987).' },
    ADOPTION_FOSTERING: { description: 'Adoption and fostering (art. 82 L. 184/1983).' },
    SCHOOL: { description: 'School use (art. 11 Tabella B D.P.R. 642/1972).' },
    NON_PROFIT: { description: 'ONLUS and third-sector bodies (art. 27-bis Tabella B D.P.R. 642/1972).' },
    SPORT: { description: 'Amateur sport associations (art. 8-bis Tabella B D.P.R. 642/1972).' },
    LEGAL_AID: { description: 'Legal aid, gratuito patrocinio (art. 131 D.P.R. 115/2002).' },
  },
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
  valuesConfig: {
    HEAD: { description: 'The head of the family (intestatario della scheda).' },
    SPOUSE: { description: 'Spouse or civil partner of the head.' },
    CHILD: { description: 'Child of the head.' },
    PARENT: { description: 'Parent of the head.' },
    COHABITANT: { description: 'Lives in the family without a family tie.' },
  },
});
