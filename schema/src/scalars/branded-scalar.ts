import { z } from 'zod';
import { SCALAR_LABELS, ScalarValidationError, type ScalarName } from './validation-error.js';

/** A string that passed the named scalar's validation. */
export type Branded<B extends ScalarName> = string & z.$brand<B>;

/**
 * One scalar's rules: how raw input is normalised before checking, and what is wrong with a
 * normalised value (`undefined` when nothing is).
 */
export interface ScalarRules {
  normalise(raw: string): string;
  problem(value: string): string | undefined;
}

/** The zod schema of a scalar: normalises, then reports the first problem as the issue message. */
export function brandedSchema<B extends ScalarName>(scalar: B, rules: ScalarRules) {
  const label = SCALAR_LABELS[scalar];
  return z
    .string({ error: `${label}: must be a string` })
    .overwrite((raw) => rules.normalise(raw))
    .superRefine((value, ctx) => {
      const reason = rules.problem(value);
      if (reason !== undefined) {
        ctx.addIssue({ code: 'custom', message: `${label}: ${reason}`, params: { scalar, reason } });
      }
    })
    .brand<B>();
}

/**
 * Validates outside zod, for code that wants an exception rather than a result.
 *
 * @throws {ScalarValidationError} when the value is not a string or breaks a rule.
 */
export function parseBranded<B extends ScalarName>(
  scalar: B,
  rules: ScalarRules,
  value: unknown,
): Branded<B> {
  if (typeof value !== 'string') {
    throw new ScalarValidationError(
      scalar,
      `must be a string, got ${value === null ? 'null' : typeof value}`,
    );
  }
  const normalised = rules.normalise(value);
  const reason = rules.problem(normalised);
  if (reason !== undefined) throw new ScalarValidationError(scalar, reason);
  return normalised as Branded<B>;
}

/** Whether the value would pass {@link parseBranded}. */
export function isValidBranded(rules: ScalarRules, value: unknown): boolean {
  return typeof value === 'string' && rules.problem(rules.normalise(value)) === undefined;
}
