import { type Caller } from '../auth/caller.js';
import { type ClientDocuments } from '../config.js';
import { type SharedRateLimits } from '../limits/shared-rate-limits.js';
import { admitClient } from './client-rate-limit.js';
import { countTokens, TokenLimitError } from './document-size.js';
import { type Refusal } from './refusal.js';
import { requestValueProblem } from './request-values.js';
import { applyTrustedDocuments } from './trusted-documents.js';

/** One GraphQL operation as a client sent it: an HTTP request, or a graphql-ws `subscribe`. */
export interface OperationFields {
  query?: string;
  /** `extensions.persistedQuery.sha256Hash` (APQ, trusted documents). */
  persistedHash?: string;
  operationName?: string;
  /** An object, or JSON text (a GET request's parameter). */
  variables?: unknown;
  /** The `x-comune` the caller named (header, or the socket's connection parameter). */
  comune?: string;
}

/** What the operation runs as once admitted. */
export interface AdmittedOperation {
  /** The document: as sent, or the registered one a trusted-document hash names. */
  query: string | undefined;
  /** True when `query` came from the client's registered operations (the hash is spent). */
  resolved: boolean;
  variables: unknown;
}

/** What the operation steps need to know. */
export interface OperationAdmission {
  rateLimits: SharedRateLimits;
  trustedDocuments: Readonly<Record<string, ClientDocuments>>;
  maxTokens: number;
}

const COMUNE = /^\d{6}$/;

/**
 * Steps 3 to 7, the same for an HTTP request and for every operation over a socket (queries and
 * mutations included): the caller's rate limit, trusted documents (an app registered as
 * `trustedOnly` runs nothing else), the document's size in tokens (before any parsing), the values
 * no service can take (NUL characters, variables nested too deep), and the comune named. Operation
 * limits (depth, aliases, cost, introspection) are validation rules of both transports.
 */
export function admitOperation(
  caller: Caller,
  fields: OperationFields,
  admission: OperationAdmission,
): AdmittedOperation | Refusal {
  const limited = admitClient(admission.rateLimits, caller);
  if (limited) return limited;

  const decision = applyTrustedDocuments(
    caller.clientId,
    caller.clientId ? admission.trustedDocuments[caller.clientId] : undefined,
    fields,
  );
  if (decision.kind === 'refused') {
    return {
      status: 400,
      reason: 'untrusted_document',
      error: { message: decision.message, extensions: { code: 'TRUSTED_DOCUMENT_REQUIRED' } },
    };
  }
  const query = decision.kind === 'resolved' ? decision.query : fields.query;

  if (query !== undefined) {
    const tokens = countTokens(query, admission.maxTokens);
    if (tokens !== undefined && tokens > admission.maxTokens) {
      const error = new TokenLimitError(admission.maxTokens);
      return {
        status: 400,
        reason: 'too_many_tokens',
        error: { message: error.message, extensions: error.extensions as { code: string } },
      };
    }
  }

  let variables = fields.variables;
  if (typeof variables === 'string') {
    try {
      variables = JSON.parse(variables) as unknown;
    } catch {
      return {
        status: 400,
        reason: 'bad_variables',
        error: { message: 'The variables parameter is not valid JSON', extensions: { code: 'BAD_REQUEST' } },
      };
    }
  }
  const problem = requestValueProblem(query, variables);
  if (problem !== undefined) {
    return {
      status: 400,
      reason: 'bad_values',
      error: {
        message: `${problem.message} (at ${problem.path})`,
        extensions: { code: 'BAD_USER_INPUT', path: problem.path },
      },
    };
  }

  const comune = fields.comune?.trim();
  if (comune !== undefined && comune !== '' && !COMUNE.test(comune)) {
    return {
      status: 400,
      reason: 'bad_comune',
      error: {
        message: 'The comune named (x-comune) must be a 6-digit ISTAT code, such as 058091',
        extensions: { code: 'BAD_USER_INPUT', field: 'x-comune' },
      },
    };
  }
  return { query, resolved: decision.kind === 'resolved', variables };
}
