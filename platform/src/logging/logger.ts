import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { type LogLevel } from '../config/env.js';
import { maskPersonalData, maskPersonalText } from './personal-data.js';

/** The structured logger every Sportello service uses (a pino logger). */
export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Service name, written as `name` on every line. */
  name: string;
  /** @default 'info' */
  level?: LogLevel;
  /** Where JSON lines go. @default standard output */
  destination?: DestinationStream;
}

/**
 * Creates a JSON logger that masks personal data before it is written: the message, every
 * interpolation argument, the merged object (at any depth, errors included) and child bindings.
 * See {@link maskPersonalData} for what is masked.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    name: options.name,
    level: options.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    // Errors are already turned into masked plain objects; pino's serializer would relabel them `Object`.
    serializers: { err: (value: unknown) => value },
    formatters: {
      bindings: (bindings: pino.Bindings) => maskPersonalData(bindings) as pino.Bindings,
    },
    hooks: {
      logMethod(this: PinoLogger, args: Parameters<pino.LogFn>, method: pino.LogFn) {
        const [first, ...rest] = args as unknown[];
        const maskedRest = rest.map((arg) => maskPersonalData(arg));
        if (first instanceof Error) {
          // pino would log an Error under `err` and take its message: keep that shape, masked.
          const message = maskedRest.length > 0 ? maskedRest : [maskPersonalText(first.message)];
          return method.apply(this, [{ err: maskPersonalData(first) }, ...message] as Parameters<pino.LogFn>);
        }
        return method.apply(this, [maskPersonalData(first), ...maskedRest] as Parameters<pino.LogFn>);
      },
    },
  } satisfies pino.LoggerOptions;
  const logger = options.destination === undefined ? pino(settings) : pino(settings, options.destination);
  // Child bindings skip both the logMethod hook and (past the root) formatters.bindings. Children are
  // created with Object.create(parent), so these overrides on the root reach every descendant.
  const child = logger.child;
  const setBindings = logger.setBindings;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, maskPersonalData(bindings) as pino.Bindings, childOptions);
  } as typeof logger.child;
  logger.setBindings = function (this: Logger, bindings) {
    setBindings.call(this, maskPersonalData(bindings) as pino.Bindings);
  };
  return logger;
}
