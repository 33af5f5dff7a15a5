import type { FeeRequestMoment, RequiredAttachment } from '../entities/practice-type.entity.js';

/**
 * The demo catalogue of practice types: the kinds of application an Italian comune's online desk
 * usually offers, with their forms as JSON Schema (2020-12).
 */
export interface CatalogueEntry {
  code: string;
  title: string;
  office: 'practices' | 'suap' | 'anagrafe' | 'tributi';
  description: string;
  formSchema: Record<string, unknown>;
  requiredAttachments: RequiredAttachment[];
  feeCents: number | null;
  feeViaTributi: boolean;
  /** When a pagoPA fee is asked for: on submission (default) or at the citizen's request before it. */
  feeRequestedOn: FeeRequestMoment;
  expectedDurationDays: number;
}

const text = (title: string, maxLength = 200, extra: Record<string, unknown> = {}) => ({
  type: 'string',
  title,
  minLength: 1,
  maxLength,
  ...extra,
});
const date = (title: string) => ({ type: 'string', format: 'date', title });
const email = { type: 'string', format: 'email', title: 'Email', maxLength: 254 };
const phone = { type: 'string', title: 'Telefono', pattern: '^\\+?[0-9 ]{6,20}$' };
const fiscalCode = (title: string) => ({
  type: 'string',
  title,
  pattern: '^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$',
});
const address = {
  type: 'object',
  title: 'Indirizzo',
  properties: {
    street: text('Via/Piazza'),
    number: text('Numero civico', 10),
    postcode: { type: 'string', title: 'CAP', pattern: '^[0-9]{5}$' },
    interior: text('Interno', 10),
  },
  required: ['street', 'number', 'postcode'],
  additionalProperties: false,
};
const cadastral = {
  type: 'object',
  title: 'Dati catastali',
  properties: {
    sheet: text('Foglio', 10),
    parcel: text('Particella', 10),
    subordinate: text('Subalterno', 10),
  },
  required: ['sheet', 'parcel'],
  additionalProperties: false,
};

function form(properties: Record<string, unknown>, required: string[]): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties,
    required,
    additionalProperties: false,
  };
}

const identityDocument: RequiredAttachment = {
  code: 'identity-document',
  label: 'Documento di identità',
  required: true,
};
const optional = (code: string, label: string): RequiredAttachment => ({ code, label, required: false });
const needed = (code: string, label: string): RequiredAttachment => ({ code, label, required: true });

type Optional = 'feeCents' | 'feeViaTributi' | 'feeRequestedOn' | 'requiredAttachments';
type Draft = Omit<CatalogueEntry, Optional> & Partial<Pick<CatalogueEntry, Optional>>;

const entry = (draft: Draft): CatalogueEntry => ({
  feeCents: null,
  feeViaTributi: false,
  feeRequestedOn: 'submit',
  requiredAttachments: [],
  ...draft,
});

export const PRACTICE_TYPE_CATALOGUE: readonly CatalogueEntry[] = [
  entry({
    code: 'change-of-residence',
    title: 'Dichiarazione di cambio di residenza',
    office: 'anagrafe',
    description:
      'Trasferimento da altro comune o dall’estero, o cambio di abitazione nel comune. Registrazione entro 2 giorni lavorativi, accertamenti entro 45.',
    formSchema: form(
      {
        kind: {
          type: 'string',
          title: 'Tipo',
          enum: ['from-other-comune', 'from-abroad', 'within-comune', 'aire'],
        },
        newAddress: address,
        movingOn: date('Data del trasferimento'),
        members: {
          type: 'array',
          title: 'Familiari che si trasferiscono',
          maxItems: 20,
          items: fiscalCode('Codice fiscale del familiare'),
        },
        housingTitle: {
          type: 'string',
          title: 'Titolo di occupazione',
          enum: ['owner', 'tenant', 'free-loan', 'usufruct', 'other'],
        },
        email,
        phone,
      },
      ['kind', 'newAddress', 'movingOn', 'housingTitle', 'email'],
    ),
    requiredAttachments: [identityDocument, optional('lease', 'Contratto di locazione o comodato')],
    expectedDurationDays: 45,
  }),
  entry({
    code: 'civil-marriage-request',
    title: 'Richiesta di matrimonio civile',
    office: 'anagrafe',
    description: 'Prenotazione della sala e della data per la celebrazione del matrimonio civile.',
    formSchema: form(
      {
        spouse: fiscalCode('Codice fiscale dell’altro nubendo'),
        preferredDate: date('Data preferita'),
        venue: { type: 'string', title: 'Sala', enum: ['council-hall', 'villa', 'other-authorised'] },
        witnesses: {
          type: 'array',
          title: 'Testimoni',
          minItems: 2,
          maxItems: 4,
          items: fiscalCode('Testimone'),
        },
        email,
      },
      ['spouse', 'preferredDate', 'venue', 'witnesses', 'email'],
    ),
    requiredAttachments: [identityDocument, needed('banns', 'Pubblicazioni di matrimonio')],
    feeCents: 15_000,
    feeViaTributi: true,
    // The citizen asks for the notice when ready and submits once it is paid.
    feeRequestedOn: 'request',
    expectedDurationDays: 30,
  }),
  entry({
    code: 'scia-commercial',
    title: 'SCIA per esercizio di vicinato',
    office: 'suap',
    description: 'Segnalazione certificata di inizio attività per un esercizio commerciale di vicinato.',
    formSchema: form(
      {
        businessName: text('Ragione sociale'),
        vatNumber: { type: 'string', title: 'Partita IVA', pattern: '^[0-9]{11}$' },
        premises: address,
        salesAreaSqm: {
          type: 'number',
          title: 'Superficie di vendita (mq)',
          exclusiveMinimum: 0,
          maximum: 250,
        },
        sector: { type: 'string', title: 'Settore', enum: ['food', 'non-food', 'mixed'] },
        startsOn: date('Data di inizio'),
        pec: { ...email, title: 'PEC' },
      },
      ['businessName', 'vatNumber', 'premises', 'salesAreaSqm', 'sector', 'startsOn', 'pec'],
    ),
    requiredAttachments: [identityDocument, needed('floor-plan', 'Planimetria dei locali')],
    feeCents: 5_000,
    feeViaTributi: true,
    expectedDurationDays: 60,
  }),
  entry({
    code: 'access-to-records',
    title: 'Accesso agli atti (L. 241/1990)',
    office: 'practices',
    description:
      'Richiesta di visione o copia di documenti amministrativi con interesse diretto, concreto e attuale.',
    formSchema: form(
      {
        documents: text('Documenti richiesti', 2000),
        reason: text('Motivazione (interesse diretto, concreto e attuale)', 2000),
        mode: { type: 'string', title: 'Modalità', enum: ['view', 'simple-copy', 'certified-copy'] },
        email,
      },
      ['documents', 'reason', 'mode', 'email'],
    ),
    requiredAttachments: [identityDocument],
    expectedDurationDays: 30,
  }),
  entry({
    code: 'school-canteen-enrolment',
    title: 'Iscrizione al servizio di mensa scolastica',
    office: 'tributi',
    description:
      'Iscrizione di un alunno alla mensa scolastica per l’anno scolastico, con eventuale dieta speciale.',
    formSchema: form(
      {
        pupil: fiscalCode('Codice fiscale dell’alunno'),
        school: text('Scuola'),
        className: text('Classe', 20),
        schoolYear: { type: 'string', title: 'Anno scolastico', pattern: '^20[0-9]{2}/20[0-9]{2}$' },
        specialDiet: {
          type: 'string',
          title: 'Dieta speciale',
          enum: ['none', 'medical', 'religious', 'vegetarian'],
        },
        iseeCents: { type: 'integer', title: 'ISEE (centesimi)', minimum: 0 },
      },
      ['pupil', 'school', 'className', 'schoolYear', 'specialDiet'],
    ),
    requiredAttachments: [optional('medical-certificate', 'Certificato medico per dieta speciale')],
    expectedDurationDays: 15,
  }),
  entry({
    code: 'building-permit',
    title: 'Permesso di costruire',
    office: 'suap',
    description:
      'Titolo edilizio per interventi di nuova costruzione o ristrutturazione urbanistica (DPR 380/2001).',
    formSchema: form(
      {
        site: address,
        cadastral,
        intervention: {
          type: 'string',
          title: 'Intervento',
          enum: ['new-building', 'major-renovation', 'extension'],
        },
        designer: fiscalCode('Progettista'),
        volumeCubicMetres: { type: 'number', title: 'Volume (mc)', exclusiveMinimum: 0 },
        pec: { ...email, title: 'PEC' },
      },
      ['site', 'cadastral', 'intervention', 'designer', 'pec'],
    ),
    requiredAttachments: [
      identityDocument,
      needed('project', 'Elaborati progettuali'),
      needed('technical-report', 'Relazione tecnica asseverata'),
    ],
    feeCents: 20_000,
    feeViaTributi: true,
    // The citizen asks for the notice when ready and submits once it is paid.
    feeRequestedOn: 'request',
    expectedDurationDays: 90,
  }),
  entry({
    code: 'public-land-occupation',
    title: 'Occupazione di suolo pubblico',
    office: 'tributi',
    description: 'Concessione temporanea di suolo pubblico (ponteggi, dehors, traslochi, eventi).',
    formSchema: form(
      {
        location: address,
        purpose: {
          type: 'string',
          title: 'Scopo',
          enum: ['scaffolding', 'dehors', 'removal', 'event', 'other'],
        },
        areaSqm: { type: 'number', title: 'Superficie (mq)', exclusiveMinimum: 0, maximum: 1000 },
        from: date('Dal'),
        to: date('Al'),
      },
      ['location', 'purpose', 'areaSqm', 'from', 'to'],
    ),
    requiredAttachments: [optional('site-plan', 'Planimetria dell’area')],
    feeCents: 3_200,
    feeViaTributi: true,
    expectedDurationDays: 20,
  }),
  entry({
    code: 'disabled-parking-badge',
    title: 'Contrassegno di parcheggio per disabili (CUDE)',
    office: 'practices',
    description: 'Rilascio o rinnovo del contrassegno unificato disabili europeo.',
    formSchema: form(
      {
        holder: fiscalCode('Codice fiscale del titolare'),
        request: { type: 'string', title: 'Richiesta', enum: ['first-issue', 'renewal', 'duplicate'] },
        temporary: { type: 'boolean', title: 'Temporaneo' },
        plates: {
          type: 'array',
          title: 'Targhe associate',
          maxItems: 2,
          items: { type: 'string', pattern: '^[A-Z]{2}[0-9]{3}[A-Z]{2}$' },
        },
      },
      ['holder', 'request', 'temporary'],
    ),
    requiredAttachments: [
      identityDocument,
      needed('medical-certificate', 'Certificato medico legale'),
      needed('photo', 'Fototessera'),
    ],
    expectedDurationDays: 30,
  }),
  entry({
    code: 'bulky-waste-collection',
    title: 'Ritiro rifiuti ingombranti a domicilio',
    office: 'practices',
    description: 'Prenotazione del ritiro gratuito di rifiuti ingombranti (fino a 5 pezzi).',
    formSchema: form(
      {
        pickupAddress: address,
        items: {
          type: 'array',
          title: 'Oggetti',
          minItems: 1,
          maxItems: 5,
          items: {
            type: 'object',
            properties: {
              kind: {
                type: 'string',
                title: 'Tipo',
                enum: ['furniture', 'mattress', 'appliance', 'electronics', 'other'],
              },
              description: text('Descrizione', 200),
            },
            required: ['kind'],
            additionalProperties: false,
          },
        },
        phone,
      },
      ['pickupAddress', 'items', 'phone'],
    ),
    expectedDurationDays: 10,
  }),
  ...[
    ['residence-certificate', 'Certificato di residenza', 'anagrafe', 2, 1_600],
    ['family-status-certificate', 'Certificato di stato di famiglia', 'anagrafe', 2, 1_600],
    ['identity-card-appointment', 'Carta d’identità elettronica', 'anagrafe', 7, 2_222],
    ['birth-registration', 'Dichiarazione di nascita', 'anagrafe', 10, null],
    ['civil-union-request', 'Richiesta di costituzione di unione civile', 'anagrafe', 30, 15_000],
    ['cohabitation-agreement', 'Registrazione contratto di convivenza', 'anagrafe', 10, null],
    ['electoral-card-duplicate', 'Duplicato tessera elettorale', 'anagrafe', 5, null],
    ['scrutineer-register', 'Iscrizione all’albo degli scrutatori', 'anagrafe', 60, null],
    ['tari-new-registration', 'Dichiarazione TARI nuova utenza', 'tributi', 30, null],
    ['tari-reduction', 'Richiesta di riduzione TARI', 'tributi', 60, null],
    ['imu-refund', 'Istanza di rimborso IMU', 'tributi', 180, null],
    ['self-correction-appeal', 'Istanza di autotutela su avviso di accertamento', 'tributi', 60, null],
    ['school-transport', 'Iscrizione al trasporto scolastico', 'tributi', 15, null],
    ['nursery-enrolment', 'Iscrizione all’asilo nido comunale', 'tributi', 45, null],
    ['scia-building', 'SCIA edilizia', 'suap', 30, 10_000],
    ['cila', 'CILA - Comunicazione inizio lavori asseverata', 'suap', 30, 5_000],
    ['habitability-certificate', 'Segnalazione certificata di agibilità', 'suap', 30, 5_000],
    ['public-event-licence', 'Licenza per pubblico spettacolo', 'suap', 30, 8_000],
    ['street-trading-licence', 'Autorizzazione commercio su area pubblica', 'suap', 60, 8_000],
    ['sign-installation', 'Autorizzazione installazione insegne', 'suap', 30, 6_000],
    ['tree-felling', 'Autorizzazione abbattimento alberi', 'practices', 30, null],
    ['green-area-adoption', 'Adozione di un’area verde', 'practices', 60, null],
    ['hall-booking', 'Concessione sala comunale', 'practices', 15, 5_000],
    ['sports-facility-booking', 'Concessione impianto sportivo', 'practices', 15, 3_000],
    ['ztl-permit', 'Permesso di accesso ZTL', 'practices', 10, 2_500],
    ['resident-parking-permit', 'Permesso di sosta residenti', 'practices', 10, 2_000],
    ['economic-assistance', 'Domanda di contributo economico', 'practices', 60, null],
    ['home-care-service', 'Richiesta di assistenza domiciliare', 'practices', 30, null],
  ].map(([code, title, office, days, fee]) =>
    entry({
      code: code as string,
      title: title as string,
      office: office as CatalogueEntry['office'],
      description: `${title as string}: domanda online con esito entro ${days as number} giorni.`,
      formSchema: form(
        {
          subject: text('Oggetto della richiesta', 300),
          details: text('Dettagli', 4000),
          address,
          email,
          phone,
        },
        ['subject', 'email'],
      ),
      requiredAttachments: [identityDocument],
      feeCents: fee as number | null,
      feeViaTributi: fee !== null,
      expectedDurationDays: days as number,
    }),
  ),
];
