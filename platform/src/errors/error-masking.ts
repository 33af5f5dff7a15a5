import { randomUUID } from 'node:crypto';
import { type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { type Logger } from '../logging/logger.js';
import { InternalServerError } from './client-errors.js';

/**
 * Codes Apollo Server and graphql-js give to errors about the request itself (syntax, validation,
 * variable coercion): their messages describe the client's mistake and are safe to show.
 */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Whether the client may see `error` as it is: a `GraphQLError` thrown on purpose (every error of
 * this package, and those of libraries that follow the same convention), or an error about the
 * request raised by graphql-js / Apollo Server. Everything else (a failed query, a bug) is masked.
 */
export function isExposableError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof GraphQLError && original !== error) return true;
  if (!(error instanceof GraphQLError)) return false;
  if (error.originalError === undefined || error.originalError === null) return true;
  if (error.originalError instanceof GraphQLError) return true;
  const code = error.extensions.code;
  return typeof code === 'string' && REQUEST_ERROR_CODES.has(code);
}

/** What the masking needs from a request context; the standard `RequestContext` has both. */
export interface MaskingContext {
  requestId?: string;
  log?: Logger;
}

/**
 * Replaces an unexpected error by an {@link InternalServerError} carrying the request id, after
 * logging the original (masked for personal data by the logger). Client errors are returned as they are.
 */
export function maskUnexpectedError(
  error: unknown,
  context: { requestId: string; log: Logger },
): GraphQLError {
  if (isExposableError(error)) return error as GraphQLError;
  context.log.error({ err: unwrapResolverError(error), requestId: context.requestId }, 'unexpected error');
  return new InternalServerError(context.requestId);
}

/** Apollo Server options that mask unexpected errors. */
export interface ErrorMasking<Context extends MaskingContext> {
  /** Pass as `formatError` to `new ApolloServer(...)`. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Pass in `plugins`: it logs unexpected errors with the request's logger and id. */
  plugin: ApolloServerPlugin<Context>;
}

/**
 * Keeps internals out of responses: unexpected errors become `INTERNAL_SERVER_ERROR` with the
 * request id (details logged under it), and stack traces never leave the process even when Apollo
 * would include them outside production.
 *
 * @param logger - used for errors raised before a request context exists (a failing context factory).
 * @example
 * const masking = createErrorMasking<RequestContext>(logger);
 * new ApolloServer<RequestContext>({ schema, formatError: masking.formatError, plugins: [masking.plugin] });
 */
export function createErrorMasking<Context extends MaskingContext>(logger: Logger): ErrorMasking<Context> {
  const requestIds = new WeakMap<object, string>();

  const plugin: ApolloServerPlugin<Context> = {
    async requestDidStart({ contextValue }) {
      return {
        async didEncounterErrors({ errors }) {
          const requestId = contextValue.requestId ?? randomUUID();
          const log = contextValue.log ?? logger;
          for (const error of errors) {
            if (isExposableError(error)) continue;
            requestIds.set(error, requestId);
            log.error(
              { err: unwrapResolverError(error), requestId, path: error.path?.join('.') },
              'unexpected error',
            );
          }
        },
      };
    },
  };

  const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (isExposableError(error)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    let requestId = typeof error === 'object' && error !== null ? requestIds.get(error) : undefined;
    if (requestId === undefined) {
      requestId = randomUUID();
      logger.error({ err: unwrapResolverError(error), requestId }, 'unexpected error');
    }
    const masked = new InternalServerError(requestId);
    return {
      message: masked.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { ...masked.extensions },
    };
  };

  return { formatError, plugin };
}
