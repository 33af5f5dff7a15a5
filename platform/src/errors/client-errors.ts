import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';

/** The `extensions.code` values clients can rely on. */
export const ERROR_CODES = {
  notFound: 'NOT_FOUND',
  forbidden: 'FORBIDDEN',
  unauthenticated: 'UNAUTHENTICATED',
  badUserInput: 'BAD_USER_INPUT',
  conflict: 'CONFLICT',
  rateLimited: 'RATE_LIMITED',
  serviceUnavailable: 'SERVICE_UNAVAILABLE',
  internal: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

const STATUS_OF_CODE: Partial<Record<string, number>> = {
  [ERROR_CODES.badUserInput]: 400,
  [ERROR_CODES.unauthenticated]: 401,
  [ERROR_CODES.forbidden]: 403,
  [ERROR_CODES.notFound]: 404,
  [ERROR_CODES.conflict]: 409,
  [ERROR_CODES.rateLimited]: 429,
};

/**
 * The HTTP status a client error answers with outside GraphQL (service routes, uploads): the usual one
 * of its code, 400 for a code without one of its own.
 */
export function httpStatusOfCode(code: string): number {
  return STATUS_OF_CODE[code] ?? 400;
}

/** Extra, client-visible details; never personal data of someone other than the caller. */
export type ErrorDetails = Record<string, unknown>;

/**
 * An error meant for the client: its message is shown as written and `extensions.code` is one of
 * {@link ERROR_CODES}. Anything else a resolver throws is masked (see `createErrorMasking`).
 */
export class ClientError extends GraphQLError {
  constructor(message: string, code: ErrorCode, details: ErrorDetails = {}) {
    super(message, { extensions: { ...details, code } });
  }

  /** The fixed `extensions.code`. */
  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

/** The thing asked for does not exist, or the caller may not know that it exists. */
export class NotFoundError extends ClientError {
  override readonly name = 'NotFoundError';
  constructor(message: string, details?: ErrorDetails) {
    super(message, ERROR_CODES.notFound, details);
  }
}

/** The caller is known but may not do this. `reason` is a stable machine-readable word. */
export class ForbiddenError extends ClientError {
  override readonly name = 'ForbiddenError';
  constructor(message: string, details?: ErrorDetails & { reason?: string }) {
    super(message, ERROR_CODES.forbidden, details);
  }
}

/**
 * The caller must present a valid access token. `reason` tells a client what to fix
 * (`TOKEN_EXPIRED`, `WRONG_AUDIENCE`, `AUTHENTICATION_REQUIRED`...).
 */
export class UnauthenticatedError extends ClientError {
  override readonly name = 'UnauthenticatedError';
  constructor(message: string, details?: ErrorDetails & { reason?: string }) {
    super(message, ERROR_CODES.unauthenticated, details);
  }

  /** The stable reason code, when given. */
  get reason(): string | undefined {
    const reason = this.extensions.reason;
    return typeof reason === 'string' ? reason : undefined;
  }
}

/**
 * An argument is wrong. `field` points at it, as a dotted path (`input.contacts.0.email`) so a form
 * can highlight the right input.
 */
export class BadUserInputError extends ClientError {
  override readonly name = 'BadUserInputError';
  constructor(
    message: string,
    options: { field?: string | readonly (string | number)[] } & ErrorDetails = {},
  ) {
    const { field, ...details } = options;
    super(message, ERROR_CODES.badUserInput, {
      ...details,
      ...(field === undefined ? {} : { field: typeof field === 'string' ? field : field.join('.') }),
    });
  }

  /** The dotted path of the bad argument, when given. */
  get field(): string | undefined {
    const field = this.extensions.field;
    return typeof field === 'string' ? field : undefined;
  }
}

/** The request contradicts the current state (duplicate, wrong workflow step, stale version). */
export class ConflictError extends ClientError {
  override readonly name = 'ConflictError';
  constructor(message: string, details?: ErrorDetails) {
    super(message, ERROR_CODES.conflict, details);
  }
}

/**
 * Too many requests. `extensions.retryAfter` is in seconds; over HTTP the response also gets status
 * 429 and a `Retry-After` header (Apollo Server reads `extensions.http` and strips it).
 */
export class RateLimitedError extends ClientError {
  override readonly name = 'RateLimitedError';
  readonly retryAfter: number;

  constructor(message: string, options: { retryAfterSec: number } & ErrorDetails) {
    const { retryAfterSec, ...details } = options;
    const retryAfter = Math.max(1, Math.ceil(retryAfterSec));
    super(message, ERROR_CODES.rateLimited, {
      ...details,
      retryAfter,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
    });
    this.retryAfter = retryAfter;
  }
}

/**
 * Something the answer depends on (another service, a register) cannot be reached right now: nothing
 * was done, and the same request may succeed later. `extensions.retryAfter` is a suggestion in seconds.
 */
export class ServiceUnavailableError extends ClientError {
  override readonly name = 'ServiceUnavailableError';
  constructor(message: string, options: { retryAfterSec?: number; cause?: unknown } & ErrorDetails = {}) {
    const { retryAfterSec = 30, cause, ...details } = options;
    super(message, ERROR_CODES.serviceUnavailable, {
      ...details,
      retryAfter: Math.max(1, Math.ceil(retryAfterSec)),
    });
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * What a client sees instead of an unexpected error: no detail, only the request id to quote when
 * reporting it (the details are in the logs under the same id).
 */
export class InternalServerError extends ClientError {
  override readonly name = 'InternalServerError';
  constructor(readonly requestId: string) {
    super(`Internal server error. Quote request id ${requestId} when reporting it.`, ERROR_CODES.internal, {
      requestId,
    });
  }
}

/** Whether `error` is one of the errors above (its message is meant for the client). */
export function isClientError(error: unknown): error is ClientError {
  return error instanceof ClientError;
}
