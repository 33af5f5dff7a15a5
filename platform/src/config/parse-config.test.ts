import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkDatabaseEnv,
  envBoolean,
  envBus,
  envComune,
  envDatabaseDriver,
  envDatabaseUrl,
  envJwksUrl,
  envLogLevel,
  envNatsUrl,
  envPort,
  envSportelloMode,
  envText,
  envTokenAudience,
  envTokenIssuer,
} from './env.js';
import { ConfigError } from './config-error.js';
import { parseConfig } from './parse-config.js';

const gatewaySchema = z.object({
  PORT: envPort(4000),
  LOG_LEVEL: envLogLevel(),
  BUS: envBus(),
  NATS_URL: envNatsUrl(),
  COMUNE: envComune('058091'),
  SPORTELLO_MODE: envSportelloMode(),
  TOKEN_ISSUER: envTokenIssuer(),
  TOKEN_AUDIENCE: envTokenAudience(),
  JWKS_URL: envJwksUrl(),
  METRICS: envBoolean(false),
});

const validEnv = {
  TOKEN_ISSUER: 'http://127.0.0.1:4001',
  TOKEN_AUDIENCE: 'sportello',
  JWKS_URL: 'http://127.0.0.1:4001/.well-known/jwks.json',
};

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies defaults and types every value', () => {
    const config = parseConfig(gatewaySchema, validEnv, { app: 'gateway' });
    expect(config).toEqual({
      PORT: 4000,
      LOG_LEVEL: 'info',
      BUS: 'inprocess',
      NATS_URL: ['nats://127.0.0.1:4222'],
      COMUNE: '058091',
      SPORTELLO_MODE: 'demo',
      TOKEN_ISSUER: 'http://127.0.0.1:4001',
      TOKEN_AUDIENCE: 'sportello',
      JWKS_URL: new URL('http://127.0.0.1:4001/.well-known/jwks.json'),
      METRICS: false,
    });
  });

  it('reads given values', () => {
    const config = parseConfig(
      gatewaySchema,
      {
        ...validEnv,
        PORT: ' 8080 ',
        LOG_LEVEL: 'debug',
        BUS: 'nats',
        NATS_URL: 'nats://a:4222, tls://b:4222',
        COMUNE: '001272',
        SPORTELLO_MODE: 'production',
        METRICS: 'TRUE',
      },
      { app: 'gateway' },
    );
    expect(config.PORT).toBe(8080);
    expect(config.NATS_URL).toEqual(['nats://a:4222', 'tls://b:4222']);
    expect(config.BUS).toBe('nats');
    expect(config.COMUNE).toBe('001272');
    expect(config.SPORTELLO_MODE).toBe('production');
    expect(config.METRICS).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig(gatewaySchema, { ...validEnv, PORT: '' }, { app: 'gateway' }).PORT).toBe(4000);
  });

  it('names the bad variable, the reason and the received value', () => {
    const error = configErrorOf(() =>
      parseConfig(gatewaySchema, { ...validEnv, PORT: 'abc' }, { app: 'gateway' }),
    );
    expect(error.message).toBe(
      'Invalid configuration for gateway: PORT: expected an integer between 1 and 65535, got "abc"',
    );
    expect(error.issues).toEqual([
      { variable: 'PORT', reason: 'expected an integer between 1 and 65535', received: '"abc"' },
    ]);
  });

  it('lists every bad variable at once', () => {
    const error = configErrorOf(() =>
      parseConfig(
        gatewaySchema,
        { TOKEN_ISSUER: 'not a url', PORT: '70000', BUS: 'kafka', METRICS: 'yes', COMUNE: '58091' },
        { app: 'gateway' },
      ),
    );
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual(
      ['BUS', 'COMUNE', 'JWKS_URL', 'METRICS', 'PORT', 'TOKEN_AUDIENCE', 'TOKEN_ISSUER'].sort(),
    );
    expect(error.message).toContain('BUS: expected one of inprocess, nats, got "kafka"');
    expect(error.message).toContain('METRICS: expected true, false, 1 or 0, got "yes"');
    expect(error.message).toContain('COMUNE: expected a 6-digit ISTAT code such as 058091, got "58091"');
    expect(error.message).toContain('TOKEN_AUDIENCE: required, got not set');
    expect(error.message).toContain('PORT: expected an integer between 1 and 65535, got "70000"');
  });

  it('parses booleans strictly', () => {
    const schema = z.object({ FLAG: envBoolean() });
    for (const [raw, value] of [
      ['true', true],
      ['1', true],
      ['false', false],
      ['0', false],
    ] as const) {
      expect(parseConfig(schema, { FLAG: raw }, { app: 'x' }).FLAG).toBe(value);
    }
    for (const raw of ['yes', 'no', 'on', '2', 'truthy']) {
      expect(() => parseConfig(schema, { FLAG: raw }, { app: 'x' })).toThrow(
        `FLAG: expected true, false, 1 or 0`,
      );
    }
  });

  it('never echoes secrets', () => {
    const schema = z.object({
      TELEGRAM_BOT_TOKEN: envPort(),
      CLIENT_SECRET: envPort(),
      IO_API_KEY: envPort(),
    });
    const error = configErrorOf(() =>
      parseConfig(
        schema,
        { TELEGRAM_BOT_TOKEN: '123:very-secret', CLIENT_SECRET: 's3cr3t', IO_API_KEY: 'k3y' },
        { app: 'notifier' },
      ),
    );
    for (const secret of ['very-secret', 's3cr3t', 'k3y']) expect(error.message).not.toContain(secret);
    expect(error.message).toContain(
      'TELEGRAM_BOT_TOKEN: expected an integer between 1 and 65535, got a hidden value of 15 characters',
    );
  });

  it('hides passwords inside URLs', () => {
    const schema = z
      .object({ DATABASE_DRIVER: envDatabaseDriver(), DATABASE_URL: envDatabaseUrl() })
      .superRefine(checkDatabaseEnv);
    const error = configErrorOf(() =>
      parseConfig(
        schema,
        { DATABASE_DRIVER: 'sqlite', DATABASE_URL: 'postgres://sportello:hunter2@db/anagrafe' },
        { app: 'anagrafe' },
      ),
    );
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain(
      'DATABASE_URL: expected a file path when DATABASE_DRIVER is sqlite (set DATABASE_DRIVER=postgresql for this URL), got "postgres://sportello:***@db/anagrafe"',
    );
  });

  it('cross-checks the database driver and URL', () => {
    const schema = z
      .object({ DATABASE_DRIVER: envDatabaseDriver(), DATABASE_URL: envDatabaseUrl('./data/anagrafe.db') })
      .superRefine(checkDatabaseEnv);
    expect(parseConfig(schema, {}, { app: 'anagrafe' })).toEqual({
      DATABASE_DRIVER: 'sqlite',
      DATABASE_URL: './data/anagrafe.db',
    });
    expect(() => parseConfig(schema, { DATABASE_DRIVER: 'postgresql' }, { app: 'anagrafe' })).toThrow(
      'DATABASE_URL: expected a postgres:// or postgresql:// URL when DATABASE_DRIVER is postgresql, got not set',
    );
    expect(() => parseConfig(schema, { DATABASE_DRIVER: 'mysql' }, { app: 'anagrafe' })).toThrow(
      'DATABASE_DRIVER: expected one of sqlite, postgresql, got "mysql"',
    );
  });

  it('rejects a malformed NATS server list', () => {
    const schema = z.object({ NATS_URL: envNatsUrl() });
    expect(() => parseConfig(schema, { NATS_URL: 'nats://a:4222,http://b' }, { app: 'notifier' })).toThrow(
      'NATS_URL: expected comma-separated URLs starting with nats:// or tls://',
    );
  });

  it('requires variables without a default', () => {
    const schema = z.object({ NAME: envText() });
    expect(() => parseConfig(schema, {}, { app: 'x' })).toThrow(
      'Invalid configuration for x: NAME: required, got not set',
    );
  });
});
