/**
 * Counts the SQL statements each service runs while serving one traced request, without touching
 * the services: every HTTP request whose `traceparent` carries a trace id being watched runs in an
 * async context that names it (the gateway forwards `traceparent` to every subgraph it calls), and
 * MikroORM reports every statement it runs through `Connection.logQuery`, which is wrapped here to
 * attribute it to the database (service) and the trace. Background work (outbox relays, the
 * notifier's dispatcher, jobs) runs outside any request and is not counted.
 *
 * It must be installed in the process that runs the services, before they handle requests.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { basename } from 'node:path';
import { Connection } from '@mikro-orm/core';

/** Statements of one service for one trace. */
export interface StatementCounts {
  /** By kind: `select`, `insert`, `begin`... */
  byKind: Record<string, number>;
  /** By statement with its literals blanked out (the first 160 characters): shows what repeats. */
  byShape: Record<string, number>;
}

/** Statements per service (database name) for one trace. */
export type TraceStatements = Record<string, StatementCounts>;

/** The counter installed in a process. */
export interface SqlCounter {
  /** Starts attributing statements of requests traced with `traceId` (32 hex digits). */
  watch(traceId: string): void;
  /** Stops watching `traceId` and returns what its requests ran, per service. */
  take(traceId: string): TraceStatements;
  /** Starts counting every statement of every service, requests and background work alike. */
  tally(): void;
  /** Stops the tally and returns what it counted, per service. */
  takeTally(): TraceStatements;
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/** What is read of a connection: its configuration (protected in MikroORM's types). */
interface CountedConnection {
  config: { get(key: 'dbName'): string | undefined };
}

/** The service a MikroORM connection belongs to: its SQLite file or PostgreSQL database name. */
function serviceOf(connection: CountedConnection): string {
  return basename(connection.config.get('dbName') ?? 'unknown').replace(/\.db$/, '');
}

/** A statement without its literals, so that the same statement with other values counts once. */
function shapeOf(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(\.\d+)?\b/g, '?')
    .replace(/\?(?:\s*,\s*\?)+/g, '?...')
    .replace(/\s+/g, ' ')
    .slice(0, 160);
}

/** The kind of a statement: its first keyword, lower case. */
function kindOf(sql: string): string {
  return /^\s*\(?\s*([a-z]+)/i.exec(sql)?.[1]?.toLowerCase() ?? 'other';
}

let installed: SqlCounter | undefined;

/** Installs the counter once per process and returns it. */
export function installSqlCounter(): SqlCounter {
  if (installed) return installed;
  const context = new AsyncLocalStorage<string>();
  const watched = new Map<string, TraceStatements>();
  let tally: TraceStatements | undefined;
  const count = (trace: TraceStatements, service: string, query: string) => {
    const counts = (trace[service] ??= { byKind: {}, byShape: {} });
    const kind = kindOf(query);
    const shape = shapeOf(query);
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
    counts.byShape[shape] = (counts.byShape[shape] ?? 0) + 1;
  };

  // Published synchronously right before the server emits 'request': entering the store here makes
  // the handler, and everything it awaits, run with the trace id.
  subscribe('http.server.request.start', (message) => {
    const { request } = message as { request: IncomingMessage };
    const header = request.headers.traceparent;
    const traceId = typeof header === 'string' ? TRACEPARENT.exec(header)?.[1] : undefined;
    if (traceId !== undefined && watched.has(traceId)) context.enterWith(traceId);
  });

  // `logQuery` is protected in the types: reached through a structural view of the prototype.
  const prototype = Connection.prototype as unknown as {
    logQuery(this: CountedConnection, query: string, context?: unknown): void;
  };
  const logQuery = prototype.logQuery;
  prototype.logQuery = function countingLogQuery(query, queryContext) {
    const traceId = context.getStore();
    const trace = traceId === undefined ? undefined : watched.get(traceId);
    if (trace) count(trace, serviceOf(this), query);
    if (tally) count(tally, serviceOf(this), query);
    logQuery.call(this, query, queryContext);
  };

  installed = {
    watch(traceId) {
      watched.set(traceId, {});
    },
    take(traceId) {
      const trace = watched.get(traceId) ?? {};
      watched.delete(traceId);
      return trace;
    },
    tally() {
      tally = {};
    },
    takeTally() {
      const counted = tally ?? {};
      tally = undefined;
      return counted;
    },
  };
  return installed;
}
