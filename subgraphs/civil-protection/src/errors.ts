import { BadUserInputError, ConflictError, NotFoundError } from '@sportello/platform';
import type { RuleViolation } from './domain/alert.js';

/**
 * Turns rule violations into one BAD_USER_INPUT error: the message lists them all, `field` names
 * the first (so a form can focus it) and `violations` carries every one. A violation's `reason`
 * (a machine-readable cause) is kept, and the first one is the error's `reason` too. Fields are
 * named under `prefix` (the argument they came in), or as they are when it is `null` (an HTTP
 * route's query parameters).
 */
export function invalidInput(
  violations: ReadonlyArray<RuleViolation & { reason?: string }>,
  prefix: string | null = 'input',
): BadUserInputError {
  const first = violations[0];
  const reason = violations.find((v) => v.reason !== undefined)?.reason;
  const named = (field: string) => (prefix === null ? field : `${prefix}.${field}`);
  return new BadUserInputError(violations.map((v) => `${v.field}: ${v.message}`).join('; '), {
    field: first === undefined ? (prefix ?? 'input') : named(first.field),
    ...(reason === undefined ? {} : { reason }),
    violations: violations.map((v) => ({
      field: named(v.field),
      message: v.message,
      ...(v.reason === undefined ? {} : { reason: v.reason }),
    })),
  });
}

/** No alert with this id in the caller's comune. */
export function alertNotFound(id: string): NotFoundError {
  return new NotFoundError(`No alert with id ${id}`);
}

/** No ordinance with this id that the caller may see (drafts are hidden from the public). */
export function ordinanceNotFound(id: string): NotFoundError {
  return new NotFoundError(`No ordinance with id ${id}`);
}

/** A published ordinance is immutable: say how to correct it instead. */
export function publishedOrdinanceIsImmutable(id: string, number: string): ConflictError {
  return new ConflictError(
    `Ordinance ${number} is published and cannot be changed: draft a correcting ordinance with corrects: "${id}"`,
    { reason: 'ORDINANCE_PUBLISHED' },
  );
}
