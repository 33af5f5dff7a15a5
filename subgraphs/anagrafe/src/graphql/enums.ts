import { registerGraphQLEnum } from '@sportello/platform';
import { DOCUMENT_KINDS, RESIDENCE_CHANGE_STATUSES } from '@sportello/schema';
import { CERTIFICATE_KINDS, STAMP_DUTY_EXEMPTION_GROUNDS } from '../domain/certificate-rules.js';
import { CIVIL_STATUSES, RELATIONSHIPS } from '../entities/resident.entity.js';

export const DocumentKindEnum = registerGraphQLEnum(DOCUMENT_KINDS, {
  name: 'IdentityDocumentKind',
  description: 'CIE (electronic) or paper identity card.',
  values: {
    CIE: 'Electronic identity card (Carta d’identità elettronica).',
    PAPER: 'Paper identity card; no longer valid from 2026-08-03 whatever date it shows.',
  },
});

export const CertificateKindEnum = registerGraphQLEnum(CERTIFICATE_KINDS, {
  name: 'CertificateKind',
  description: 'Certificates issued online; several in one request make a contestuale certificate.',
  values: {
    BIRTH: 'Certificato anagrafico di nascita (birth); exempt from stamp duty, valid without limit.',
    MARRIAGE: 'Certificato anagrafico di matrimonio (marriage); exempt from stamp duty.',
    CITIZENSHIP: 'Cittadinanza (citizenship).',
    EXISTENCE: 'Esistenza in vita (being alive).',
    RESIDENCE: 'Residenza (residence).',
    RESIDENCE_AIRE: 'Residenza AIRE (Italians resident abroad).',
    CIVIL_STATUS: 'Stato civile (civil status); exempt from stamp duty.',
    FAMILY: 'Stato di famiglia (family composition).',
    FAMILY_CIVIL_STATUS: 'Stato di famiglia e di stato civile.',
    RESIDENCE_COHABITATION: 'Residenza in convivenza (residence in a cohabitation, e.g. a community).',
    FAMILY_AIRE: 'Stato di famiglia AIRE.',
    FAMILY_RELATIONSHIPS: 'Stato di famiglia con rapporti di parentela (with relationships).',
    FREE_STATUS: 'Stato libero (free to marry).',
    CIVIL_UNION: 'Certificato anagrafico di unione civile (civil union); exempt from stamp duty.',
    COHABITATION_AGREEMENT: 'Contratto di convivenza (cohabitation agreement).',
  },
});

export const StampDutyExemptionEnum = registerGraphQLEnum(STAMP_DUTY_EXEMPTION_GROUNDS, {
  name: 'StampDutyExemption',
  description:
    'Grounds for exemption from the 16 EUR stamp duty; the legal reference is printed on the certificate.',
  values: {
    PENSION: 'Pension use (art. 9 Tabella B D.P.R. 642/1972).',
    LABOUR_DISPUTE: 'Labour disputes (art. 12 Tabella B D.P.R. 642/1972).',
    FAMILY_ALLOWANCE: 'Family allowances (art. 9 Tabella B D.P.R. 642/1972).',
    SEPARATION_DIVORCE: 'Separation and divorce (art. 19 L. 74/1987).',
    ADOPTION_FOSTERING: 'Adoption and fostering (art. 82 L. 184/1983).',
    SCHOOL: 'School use (art. 11 Tabella B D.P.R. 642/1972).',
    NON_PROFIT: 'ONLUS and third-sector bodies (art. 27-bis Tabella B D.P.R. 642/1972).',
    SPORT: 'Amateur sport associations (art. 8-bis Tabella B D.P.R. 642/1972).',
    LEGAL_AID: 'Legal aid, gratuito patrocinio (art. 131 D.P.R. 115/2002).',
  },
});

export const StampDutyEnum = registerGraphQLEnum(['paid', 'exempt'], {
  name: 'StampDuty',
  description: 'How the 16 EUR stamp duty of a certificate was settled.',
  values: {
    PAID: 'The stamp duty is due and was paid.',
    EXEMPT: 'An exemption applies; its ground is printed on the certificate.',
  },
});

export const ResidenceChangeStatusEnum = registerGraphQLEnum(RESIDENCE_CHANGE_STATUSES, {
  name: 'ResidenceChangeStatus',
  description: 'Where a change-of-residence declaration stands.',
  values: {
    DECLARED: 'Declared by the citizen; the office registers it within 2 working days.',
    REGISTERED: 'Registered: the new address applies from the declaration day; checks run for 45 days.',
    OBSTACLES_NOTIFIED: 'The checks found obstacles; the citizen has 10 days to answer.',
    ACCEPTED: 'Confirmed, explicitly or by silence after 45 days.',
    REJECTED: 'Rejected; the previous addresses are restored.',
    WITHDRAWN: 'Withdrawn by the applicant before an outcome.',
  },
});

export const CivilStatusEnum = registerGraphQLEnum(CIVIL_STATUSES, {
  name: 'CivilStatus',
  description: 'Civil status as recorded in the registry.',
  values: {
    SINGLE: 'Never married nor in a civil union.',
    MARRIED: 'Married.',
    CIVIL_UNION: 'In a civil union.',
    WIDOWED: 'Widowed.',
    DIVORCED: 'Divorced.',
    SEPARATED: 'Legally separated.',
  },
});

export const RelationshipEnum = registerGraphQLEnum(RELATIONSHIPS, {
  name: 'FamilyRelationship',
  description: 'Relationship to the head of the family (intestatario della scheda).',
  values: {
    HEAD: 'The head of the family (intestatario della scheda).',
    SPOUSE: 'Spouse or civil partner of the head.',
    CHILD: 'Child of the head.',
    PARENT: 'Parent of the head.',
    COHABITANT: 'Lives in the family without a family tie.',
  },
});
