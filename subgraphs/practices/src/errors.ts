import { BadUserInputError, ConflictError, NotFoundError } from '@sportello/platform';
import type { PracticeStatus } from '@sportello/schema';
import type { PracticeAction, TransitionRefusal } from './domain/workflow.js';

/** One problem with an input, `field` a JSON pointer into the form or an argument name. */
export interface FieldViolation {
  field: string;
  message: string;
}

/**
 * Turns violations into one BAD_USER_INPUT error: the message lists them all, `field` names the
 * first (so a form can focus it) and `violations` carries every one.
 */
export function invalidInput(violations: readonly FieldViolation[], prefix?: string): BadUserInputError {
  const path = (field: string) =>
    prefix === undefined ? field : field === '' ? prefix : `${prefix}.${field}`;
  const first = violations[0];
  return new BadUserInputError(violations.map((v) => `${path(v.field)}: ${v.message}`).join('; '), {
    field: first === undefined ? (prefix ?? 'input') : path(first.field),
    violations: violations.map((v) => ({ field: path(v.field), message: v.message })),
  });
}

/** No practice with this id that the caller may see (existence is not revealed). */
export function practiceNotFound(id: string): NotFoundError {
  return new NotFoundError(`No practice with id ${id}`);
}

export function practiceTypeNotFound(code: string): NotFoundError {
  return new NotFoundError(`No practice type with code ${code}`, { field: 'typeCode' });
}

/** The argument that carries an action's note, where it is not called `note`. */
export const NOTE_ARGUMENT: Partial<Record<PracticeAction, string>> = {
  'request-integration': 'message',
  'answer-integration': 'answer',
  withdraw: 'reason',
  accept: 'reason',
  reject: 'reason',
};

/** An action the workflow does not allow now, naming the current status and the attempted action. */
export function illegalTransition(
  practiceId: string,
  refusal: TransitionRefusal,
): ConflictError | BadUserInputError {
  switch (refusal.kind) {
    case 'not-allowed-from':
      return new ConflictError(
        `Practice ${practiceId} is ${refusal.status}: cannot ${refusal.action} it ` +
          `(${refusal.action} is allowed only when it is ${refusal.allowedFrom.join(', ')})`,
        { reason: 'ILLEGAL_TRANSITION', status: refusal.status, action: refusal.action },
      );
    case 'wrong-role':
      return new ConflictError(
        `${refusal.action} is done by ${refusal.requiredRole === 'system' ? 'the service itself' : refusal.requiredRole}, not by ${refusal.role}`,
        { reason: 'ILLEGAL_TRANSITION', action: refusal.action },
      );
    case 'note-required':
      return new BadUserInputError(`${refusal.action} needs a note for the citizen`, {
        field: NOTE_ARGUMENT[refusal.action] ?? 'note',
      });
  }
}

/** The practice changed under the caller (another operator acted first). */
export function concurrentChange(practiceId: string, status?: PracticeStatus): ConflictError {
  return new ConflictError(
    `Practice ${practiceId} was changed by someone else at the same time${status ? ` (now ${status})` : ''}: reload it and try again`,
    { reason: 'CONCURRENT_CHANGE' },
  );
}
