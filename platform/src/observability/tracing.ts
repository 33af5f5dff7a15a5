import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { envBoolean, envRatio, envText, envUrl } from '../config/env.js';
import { type Environment, parseConfig } from '../config/parse-config.js';

/**
 * The standard OpenTelemetry variables Sportello reads, as zod pieces: an app adds them to its own
 * schema (the hub does) or reads them alone with {@link loadTracingConfig}.
 */
export const TRACING_ENV = {
  /** `true` turns tracing off whatever else is set. */
  OTEL_SDK_DISABLED: envBoolean(false),
  /** Base URL of an OTLP/HTTP collector; traces go to `<base>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: envUrl(['http', 'https']).optional(),
  /** Full URL for traces, used as written; wins over `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: envUrl(['http', 'https']).optional(),
  OTEL_SERVICE_NAME: envText().optional(),
  /** Share of new traces kept; a request arriving with a trace context follows its caller's decision. */
  OTEL_TRACES_SAMPLER_ARG: envRatio(1),
};

const tracingEnvSchema = z.object(TRACING_ENV);
export type TracingEnv = z.output<typeof tracingEnvSchema>;

/** Where a process sends its spans, resolved from {@link TRACING_ENV}. */
export interface TracingConfig {
  /** `service.name` of the process's spans. */
  serviceName: string;
  /** OTLP/HTTP (JSON) traces URL; `null` keeps tracing off. */
  tracesEndpoint: string | null;
  /** Share of new traces kept, `0..1`. */
  sampleRatio: number;
}

/** `<base>/v1/traces`, as the OTLP specification builds the signal URL from a base endpoint. */
function tracesUrlOf(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/** Resolves already parsed {@link TRACING_ENV} values; `serviceName` applies without `OTEL_SERVICE_NAME`. */
export function tracingConfigOf(env: TracingEnv, serviceName: string): TracingConfig {
  const endpoint =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined ? null : tracesUrlOf(env.OTEL_EXPORTER_OTLP_ENDPOINT));
  return {
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    tracesEndpoint: env.OTEL_SDK_DISABLED ? null : endpoint,
    sampleRatio: env.OTEL_TRACES_SAMPLER_ARG,
  };
}

/**
 * Reads the tracing variables of {@link TRACING_ENV}.
 * @param options.serviceName - `service.name` unless `OTEL_SERVICE_NAME` says otherwise.
 * @throws {ConfigError} naming each bad variable, e.g. `OTEL_TRACES_SAMPLER_ARG: expected a number between 0 and 1`.
 */
export function loadTracingConfig(
  env: Environment,
  options: { app: string; serviceName: string },
): TracingConfig {
  return tracingConfigOf(parseConfig(tracingEnvSchema, env, { app: options.app }), options.serviceName);
}

/** The warnings the OpenTelemetry SDK reports (a collector that cannot be reached...). */
export interface TracingLogger {
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export interface TracingOptions {
  /** `service.name` of every span of this process. */
  serviceName: string;
  /**
   * Where spans go: `{ url }` of an OTLP/HTTP traces endpoint (JSON), or any `SpanExporter`. Absent,
   * nothing is registered: spans stay the API's no-op ones and cost next to nothing.
   */
  exporter?: { url: string } | SpanExporter | undefined;
  /** Share of new traces kept. @default 1 */
  sampleRatio?: number;
  /** How long finished spans wait to be sent in one batch. @default `OTEL_BSP_SCHEDULE_DELAY` or 5000 */
  batchDelayMs?: number;
  logger?: TracingLogger;
}

/** The tracing of this process, started by {@link startTracing}. */
export interface Tracing {
  /** False when nothing was configured: spans are not recorded. */
  readonly enabled: boolean;
  /** Exports what is buffered now (tests; before a planned exit). */
  forceFlush(): Promise<void>;
  /** Exports what is buffered and unregisters the provider. Call once, after the servers closed. */
  shutdown(): Promise<void>;
}

const TRACING_OFF: Tracing = {
  enabled: false,
  forceFlush: async () => {},
  shutdown: async () => {},
};

let running = false;

/**
 * Registers this process's tracer provider, context manager (AsyncLocalStorage, so a span follows
 * the request through every await) and W3C trace-context propagator, exporting in batches. Baggage
 * is not propagated: it would carry whatever a caller put in it to every service.
 *
 * Without an exporter nothing is registered and the returned handle does nothing.
 *
 * @throws {Error} when tracing is already running in this process.
 * @example
 * const tracing = startTracing({ serviceName: 'sportello-anagrafe', exporter: { url: 'http://otel:4318/v1/traces' } });
 * // ... on SIGTERM, after the server closed:
 * await tracing.shutdown();
 */
export function startTracing(options: TracingOptions): Tracing {
  if (options.exporter === undefined) return TRACING_OFF;
  if (running) throw new Error('Tracing is already running in this process');
  const exporter = 'url' in options.exporter ? new OTLPTraceExporter(options.exporter) : options.exporter;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1) }),
    spanProcessors: [
      new BatchSpanProcessor(
        exporter,
        options.batchDelayMs === undefined ? {} : { scheduledDelayMillis: options.batchDelayMs },
      ),
    ],
  });
  const logger = options.logger;
  if (logger) {
    diag.setLogger(
      {
        error: (message, ...args) => logger.error({ source: 'opentelemetry', args }, message),
        warn: (message, ...args) => logger.warn({ source: 'opentelemetry', args }, message),
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  running = true;

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    forceFlush: () => provider.forceFlush(),
    shutdown() {
      stopped ??= provider.shutdown().finally(() => {
        trace.disable();
        propagation.disable();
        context.disable();
        if (logger) diag.disable();
        running = false;
      });
      return stopped;
    },
  };
}

/** The {@link startTracing} options a {@link TracingConfig} describes. */
export function tracingOptions(config: TracingConfig, logger?: TracingLogger): TracingOptions {
  return {
    serviceName: config.serviceName,
    exporter: config.tracesEndpoint === null ? undefined : { url: config.tracesEndpoint },
    sampleRatio: config.sampleRatio,
    ...(logger ? { logger } : {}),
  };
}

/**
 * {@link loadTracingConfig} then {@link startTracing}: what a service's `main.ts` calls first.
 * @throws {ConfigError} naming each bad tracing variable.
 * @example
 * const tracing = startTracingFromEnv(process.env, { app: 'anagrafe', serviceName: 'sportello-anagrafe', logger });
 */
export function startTracingFromEnv(
  env: Environment,
  options: { app: string; serviceName: string; logger?: TracingLogger },
): Tracing {
  return startTracing(tracingOptions(loadTracingConfig(env, options), options.logger));
}
