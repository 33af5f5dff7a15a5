import { type EventBus, type TokenPrincipal, addYears, todayIn, type IsoDate } from '@sportello/platform';
import {
  startServiceTestKit,
  type TestIssuer,
  postGraphQL,
  type GraphQLAnswer,
} from '@sportello/test-support';
import { computeFiscalCode, type EventEnvelope } from '@sportello/schema';
import type { AnagrafeConfig } from '../config.js';
import { createAnagrafe, seedAnagrafe, type AnagrafeHandle, type SeedPerson } from '../index.js';

export const COMUNE = '001272';
export const ISSUER = 'http://identity.test';
export const AUDIENCE = 'sportello';

/** Today in the comune, as the service sees it. */
export function today(): IsoDate {
  return todayIn();
}

function person(
  givenName: string,
  familyName: string,
  sex: 'F' | 'M',
  birthDate: string,
  householdId: string,
  relationship: SeedPerson['relationship'],
  address: SeedPerson['address'],
  civilStatus: SeedPerson['civilStatus'] = 'single',
): SeedPerson {
  return {
    fiscalCode: computeFiscalCode({
      surname: familyName,
      name: givenName,
      birthDate,
      sex,
      birthPlaceCode: 'D969',
    }),
    givenName,
    familyName,
    sex,
    birthDate,
    birthPlaceCode: 'D969',
    birthPlaceName: 'Genova',
    citizenship: 'IT',
    civilStatus,
    householdId,
    relationship,
    address,
  };
}

const via = { street: 'Via Roma', number: '12', postcode: '16100', zone: 'centro' };
const day = today();
const minorBirth = addYears(day, -9);

/** A family of four (the younger child a minor), a neighbour and a resident of another zone. */
export const PEOPLE = {
  mario: person('Mario', 'Rossi', 'M', '1980-05-10', 'F0001', 'head', via, 'married'),
  chiara: person('Chiara', 'Conti', 'F', '1983-12-01', 'F0001', 'spouse', via, 'married'),
  luca: person('Luca', 'Rossi', 'M', minorBirth, 'F0001', 'child', via),
  anna: person('Anna', 'Rossi', 'F', '2001-02-03', 'F0001', 'child', via),
  paolo: person('Paolo', 'Bianchi', 'M', '1975-07-07', 'F0002', 'head', { ...via, number: '14' }),
  giulia: person('Giulia', 'Verdi', 'F', '1990-09-09', 'F0003', 'head', {
    street: 'Via del Fiume',
    number: '3',
    postcode: '16100',
    zone: 'fiume',
  }),
};

export const STREETS = [
  { name: 'Via Roma', postcode: '16100', zone: 'centro' },
  { name: 'Via del Fiume', postcode: '16100', zone: 'fiume' },
  { name: 'Strada della Collina', postcode: '16101', zone: 'collina' },
];

export type { GraphQLAnswer };

/** A running anagrafe on loopback with a small seeded family, and helpers to call it. */
export interface TestAnagrafe {
  url: string;
  service: AnagrafeHandle;
  bus: EventBus;
  issuer: TestIssuer;
  /** The staff reads audited so far, as `audit.personal-data-read` events on the bus. */
  audited(): Promise<
    { actorUsername: string; subjectFiscalCode: string; action: string; resources: string[] }[]
  >;
  /** Events published so far, as a consumer of the bus received them. */
  events: EventEnvelope[];
  token(principal: 'anonymous' | TokenPrincipal): Promise<string | undefined>;
  citizen(fiscalCode: string, actsFor?: string[]): TokenPrincipal;
  staff(...offices: ('anagrafe' | 'civil-protection' | 'tributi')[]): TokenPrincipal;
  servicePrincipal(name: string): TokenPrincipal;
  graphql(
    query: string,
    options?: { as?: TokenPrincipal; variables?: Record<string, unknown> },
  ): Promise<GraphQLAnswer>;
  /** Reads Citizen fields through `_entities`, as the gateway does. */
  citizenFields(fiscalCode: string, selection: string, as?: TokenPrincipal): Promise<GraphQLAnswer>;
  get(path: string, as?: TokenPrincipal): Promise<Response>;
  /** Waits until the relay has published and the bus delivered everything recorded so far. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts anagrafe on a SQLite file in a temp folder, or on a throw-away PostgreSQL database.
 */
export async function startAnagrafe(
  overrides: Partial<AnagrafeConfig> = {},
  driver: 'sqlite' | 'postgresql' = 'sqlite',
  options: { clock?: () => Date } = {},
): Promise<TestAnagrafe> {
  const kit = await startServiceTestKit({
    service: 'anagrafe',
    comune: COMUNE,
    comuneName: 'Borgo Sereno',
    issuer: ISSUER,
    audience: AUDIENCE,
    database: driver,
    record: { subjects: ['sportello.*.anagrafe.>', 'sportello.*.platform.>'] },
  });
  const { issuer, bus, events, logger } = kit;
  const config: AnagrafeConfig = {
    ...kit.core,
    certificateVerificationUrl: 'https://comune.example/verifica-certificati',
    onlineCertificatesExempt: false,
    timeZone: 'Europe/Rome',
    replyDocumentMaxBytes: 64 * 1024,
    jobs: { reminderOffsetsDays: [180, 30, 7], expiredNoticeLookbackDays: 30, intervalMinutes: 0 },
    ...overrides,
  };
  const service = await createAnagrafe(config, {
    bus,
    logger,
    jwks: issuer.jwks,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const url = await service.listen(0);
  await seedAnagrafe(service.database.fork({ comune: COMUNE }), {
    comune: COMUNE,
    streets: STREETS,
    people: Object.values(PEOPLE),
  });

  const token = async (principal: 'anonymous' | TokenPrincipal) =>
    principal === 'anonymous' ? undefined : issuer.sign(principal);
  const headers = async (as?: TokenPrincipal): Promise<Record<string, string>> => {
    const bearer = as === undefined ? undefined : await token(as);
    return bearer === undefined ? {} : { authorization: `Bearer ${bearer}` };
  };
  const graphql = async (
    query: string,
    options: { as?: TokenPrincipal; variables?: Record<string, unknown> } = {},
  ) =>
    postGraphQL(`${url}/graphql`, query, {
      variables: options.variables,
      headers: await headers(options.as),
    });

  return {
    url,
    service,
    bus,
    issuer,
    events,
    async audited() {
      await service.flushOutbox();
      return events
        .filter((event) => event.type === 'audit.personal-data-read')
        .map(
          (event) =>
            event.data as {
              actorUsername: string;
              subjectFiscalCode: string;
              action: string;
              resources: string[];
            },
        );
    },
    token,
    citizen: kit.principals.citizen,
    staff: (...offices) => kit.principals.staff(offices),
    servicePrincipal: kit.principals.service,
    graphql,
    citizenFields: (fiscalCode, selection, as) =>
      graphql(
        `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Citizen { fiscalCode ${selection} } } }`,
        { as, variables: { reps: [{ __typename: 'Citizen', fiscalCode }] } },
      ),
    get: async (path, as) => fetch(`${url}${path}`, { headers: await headers(as) }),
    async settle() {
      await service.flushOutbox();
    },
    async close() {
      await service.close();
      await kit.close();
    },
  };
}
