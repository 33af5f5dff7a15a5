import { Writable } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.js';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
} from './client-errors.js';
import { createErrorMasking, type MaskingContext } from './error-masking.js';

const typeDefs = /* GraphQL */ `
  type Query {
    notFound: String
    forbidden: String
    unauthenticated: String
    badInput: String
    conflict: String
    limited: String
    crash: String
  }
`;

const resolvers = {
  Query: {
    notFound: () => {
      throw new NotFoundError('No practice 42 in this comune');
    },
    forbidden: () => {
      throw new ForbiddenError('Only the anagrafe office can read this', { reason: 'OFFICE_REQUIRED' });
    },
    unauthenticated: () => {
      throw new UnauthenticatedError('Sign in first', { reason: 'AUTHENTICATION_REQUIRED' });
    },
    badInput: () => {
      throw new BadUserInputError('The e-mail address is not valid', {
        field: ['input', 'contacts', 0, 'email'],
      });
    },
    conflict: () => {
      throw new ConflictError('The practice was already submitted');
    },
    limited: () => {
      throw new RateLimitedError('Too many requests', { retryAfterSec: 2.2 });
    },
    crash: () => {
      throw new Error('connect ECONNREFUSED 10.0.0.7:5432 while loading RSSMRA80A01H501U');
    },
  },
};

function setup() {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'test',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  });
  const masking = createErrorMasking<MaskingContext>(logger);
  const server = new ApolloServer<MaskingContext>({
    typeDefs,
    resolvers,
    formatError: masking.formatError,
    plugins: [masking.plugin],
    includeStacktraceInErrorResponses: true,
  });
  async function run(field: string) {
    const response = await server.executeOperation(
      { query: `{ ${field} }` },
      { contextValue: { requestId: 'req-123', log: logger } },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { errors: response.body.singleResult.errors ?? [], http: response.http };
  }
  return { run, logs: () => lines.join('') };
}

describe('client errors', () => {
  it.each([
    ['notFound', 'NOT_FOUND', 'No practice 42 in this comune', {}],
    ['forbidden', 'FORBIDDEN', 'Only the anagrafe office can read this', { reason: 'OFFICE_REQUIRED' }],
    ['unauthenticated', 'UNAUTHENTICATED', 'Sign in first', { reason: 'AUTHENTICATION_REQUIRED' }],
    ['badInput', 'BAD_USER_INPUT', 'The e-mail address is not valid', { field: 'input.contacts.0.email' }],
    ['conflict', 'CONFLICT', 'The practice was already submitted', {}],
    ['limited', 'RATE_LIMITED', 'Too many requests', { retryAfter: 3 }],
  ])(
    '%s reaches the client with code %s, its message and no stack trace',
    async (field, code, message, extra) => {
      const { run } = setup();
      const { errors } = await run(field);
      expect(errors).toEqual([
        { message, locations: expect.any(Array), path: [field], extensions: { code, ...extra } },
      ]);
    },
  );

  it('a rate-limited error sets status 429 and Retry-After', async () => {
    const { run } = setup();
    const { http } = await run('limited');
    expect(http.status).toBe(429);
    expect(http.headers.get('retry-after')).toBe('3');
  });

  it('an unexpected error is masked: request id to the client, details (without personal data) to the logs', async () => {
    const { run, logs } = setup();
    const { errors } = await run('crash');
    expect(errors).toEqual([
      {
        message: 'Internal server error. Quote request id req-123 when reporting it.',
        locations: expect.any(Array),
        path: ['crash'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-123' },
      },
    ]);
    expect(JSON.stringify(errors)).not.toContain('ECONNREFUSED');
    expect(logs()).toContain('ECONNREFUSED 10.0.0.7:5432');
    expect(logs()).toContain('"requestId":"req-123"');
    expect(logs()).not.toContain('RSSMRA80A01H501U');
  });

  it('request errors (validation) stay readable', async () => {
    const { run } = setup();
    const { errors } = await run('nope');
    expect(errors[0]).toMatchObject({
      message: 'Cannot query field "nope" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(errors[0]?.extensions).not.toHaveProperty('stacktrace');
  });
});
