import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { parseFiscalCode } from './fiscal-code.js';
import { parseIstatCode } from './istat-code.js';
import { parseNoticeNumber } from './notice-number.js';
import { parseOrganizationFiscalCode } from './organization-fiscal-code.js';
import { SCALAR_LABELS, ScalarValidationError, type ScalarName } from './validation-error.js';

/**
 * A client sent a value a shared scalar rejects. The message names the bad part and never echoes
 * the value.
 */
export class ScalarInputError extends GraphQLError {
  constructor(scalar: ScalarName, reason: string) {
    const message = `${SCALAR_LABELS[scalar]}: ${reason}`;
    const extensions = { code: 'BAD_USER_INPUT', scalar, reason };
    // graphql-js rebuilds variable errors from `originalError`, keeping only its extensions:
    // carrying them there too keeps the code on `$variable` input as well as on literals.
    super(message, { extensions, originalError: new GraphQLError(message, { extensions }) });
    this.name = 'ScalarInputError';
  }
}

function scalarType(scalar: ScalarName, description: string, parse: (value: unknown) => string) {
  const label = SCALAR_LABELS[scalar];
  const parseInput = (value: unknown): string => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof ScalarValidationError) throw new ScalarInputError(scalar, error.reason);
      throw error;
    }
  };
  return new GraphQLScalarType<string, string>({
    name: scalar,
    description,
    serialize(value) {
      try {
        return parse(value);
      } catch (error) {
        // A resolver returned a bad value: a server bug, not the client's input.
        if (error instanceof ScalarValidationError) {
          throw new GraphQLError(`${scalar} cannot represent an invalid ${label}: ${error.reason}`);
        }
        throw error;
      }
    },
    parseValue: parseInput,
    parseLiteral(ast) {
      if (ast.kind !== Kind.STRING) {
        throw new ScalarInputError(scalar, `must be a string literal, got ${ast.kind.toLowerCase()}`);
      }
      return parseInput(ast.value);
    },
  });
}

/** GraphQL `FiscalCode`: a person's codice fiscale, fully validated (see `fiscalCodeSchema`). */
export const GraphQLFiscalCode = scalarType(
  'FiscalCode',
  'Codice fiscale of a person: 16 characters, upper case (input is trimmed and upper-cased). ' +
    'Structure, month letter, day 1-31 (41-71 for women), a real birth date, cadastral code and ' +
    'check letter are verified; omocodic codes are accepted.\n\n' +
    'Specified by: DM 23 December 1976 (Agenzia delle Entrate), codice fiscale of natural persons.',
  parseFiscalCode,
);

/** GraphQL `OrganizationFiscalCode`: 11 digits with a Luhn check (see `organizationFiscalCodeSchema`). */
export const GraphQLOrganizationFiscalCode = scalarType(
  'OrganizationFiscalCode',
  'Fiscal code of an organisation (for example the creditor of a payment notice): 11 digits, the ' +
    'last a Luhn check digit.\n\n' +
    'Specified by: DPR 605/1973 and DPR 633/1972 art. 35 (same check as the partita IVA).',
  parseOrganizationFiscalCode,
);

/** GraphQL `NoticeNumber`: a pagoPA numero avviso (see `noticeNumberSchema`). */
export const GraphQLNoticeNumber = scalarType(
  'NoticeNumber',
  'pagoPA payment notice number (numero avviso): 18 digits, aux digit 0-3; except for aux 1 the ' +
    'last two digits are the first 16 mod 93. Spaces, as printed on the notice, are removed on input.\n\n' +
    'Specified by: pagoPA SANP (Specifiche attuative del nodo dei pagamenti), numero avviso and IUV.',
  parseNoticeNumber,
);

/** GraphQL `IstatCode`: a comune's ISTAT code (see `istatCodeSchema`). */
export const GraphQLIstatCode = scalarType(
  'IstatCode',
  'ISTAT code of a comune: 6 digits, province then progressive. Always a string: leading zeros ' +
    'matter.\n\n' +
    'Specified by: ISTAT, codici statistici delle unità amministrative territoriali.',
  parseIstatCode,
);
