import { type IncomingHttpHeaders } from 'node:http';
import {
  type Attributes,
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { maskPersonalText } from '../logging/personal-data.js';

/**
 * Span attributes Sportello sets itself. Everything else follows the OpenTelemetry semantic
 * conventions. No attribute ever carries variables, documents, tokens or anything a citizen typed:
 * only names of routes, operations, subgraphs and services, and status codes.
 */
export const SPAN_ATTRIBUTES = {
  /** The service that handled the span (`gateway`, `anagrafe`...): tells services apart in one process. */
  service: 'sportello.service',
  /** Subgraph a gateway fetch went to. */
  subgraph: 'sportello.subgraph',
  /** How a subgraph fetch ended: `ok`, `error` (GraphQL errors or an HTTP error), `timeout`, `unavailable`, `merged`. */
  outcome: 'sportello.outcome',
  /** `extensions.code` of the errors of a GraphQL answer. */
  errorCodes: 'sportello.error_codes',
  /** How the gateway's public response cache answered: `hit` or `miss`. */
  cache: 'sportello.cache',
  operationName: 'graphql.operation.name',
  operationType: 'graphql.operation.type',
} as const;

/**
 * The one propagator of trace context over HTTP, used whether or not tracing runs: without a
 * registered provider the incoming context still passes through unchanged (the API's no-op spans
 * carry it), so a caller's trace id reaches the subgraphs either way.
 */
const propagator = new W3CTraceContextPropagator();

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** Tracer of Sportello's own spans, asked for at each use so it follows the registered provider. */
export function sportelloTracer(): Tracer {
  return trace.getTracer('sportello');
}

/** The trace context of incoming headers (`traceparent`, `tracestate`), or the root context. */
export function extractTraceContext(headers: IncomingHttpHeaders): Context {
  return propagator.extract(ROOT_CONTEXT, headers, headerGetter);
}

/** Anything with `set(name, value)`: Fetch `Headers`, Apollo's request headers. */
export interface HeaderSink {
  set(name: string, value: string): unknown;
}

const sinkSetter: TextMapSetter<HeaderSink> = {
  set: (carrier, key, value) => void carrier.set(key, value),
};

/** Writes the active span's context (`traceparent`, `tracestate`) into outgoing headers. */
export function injectTraceContext(headers: HeaderSink, from: Context = context.active()): void {
  propagator.inject(from, headers, sinkSetter);
}

/** A GraphQL operation name as it may appear on a span: a GraphQL name, personal data masked. */
export function operationNameAttribute(name: unknown): string | undefined {
  if (typeof name !== 'string' || !/^[_A-Za-z][_0-9A-Za-z]{0,127}$/.test(name)) return undefined;
  // A name is an identifier, and a fiscal code is a valid one.
  return maskPersonalText(name);
}

/** What {@link startServerSpan} needs of an incoming request. */
export interface ServerSpanRequest {
  /** Service handling it, {@link SPAN_ATTRIBUTES.service}. */
  service: string;
  method: string;
  /** The matched route (`/graphql`, `/oauth/token`); absent for a path nobody serves. */
  route?: string | undefined;
  headers: IncomingHttpHeaders;
}

/** A request's SERVER span and the context to run its handler in. */
export interface ServerSpan {
  readonly span: Span;
  /** The span's context: what the request's work runs in. */
  readonly context: Context;
  /** The caller's trace context (the root context when it sent none). */
  readonly parent: Context;
  /** Ends the span with the response status; a 5xx or a thrown error marks it failed. */
  end(status: number, error?: unknown): void;
}

/**
 * Starts the SERVER span of an incoming HTTP request as a child of the caller's trace context, if
 * it sent one. Named `<METHOD> <route>`; the path itself is never recorded (it may be anything a
 * client sent).
 */
export function startServerSpan(request: ServerSpanRequest): ServerSpan {
  const parent = extractTraceContext(request.headers);
  const method = request.method.toUpperCase();
  const attributes: Attributes = {
    [SPAN_ATTRIBUTES.service]: request.service,
    'http.request.method': method,
    ...(request.route === undefined ? {} : { 'http.route': request.route }),
  };
  const span = sportelloTracer().startSpan(
    request.route === undefined ? method : `${method} ${request.route}`,
    { kind: SpanKind.SERVER, attributes },
    parent,
  );
  let ended = false;
  return {
    span,
    context: trace.setSpan(parent, span),
    parent,
    end(status, error) {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', status);
      if (error !== undefined) {
        // The class only: a message may quote what the request carried.
        span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
        span.setStatus({ code: SpanStatusCode.ERROR });
      } else if (status >= 500) {
        span.setAttribute('error.type', String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}
