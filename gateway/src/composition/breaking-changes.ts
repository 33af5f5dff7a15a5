import { type BreakingChange, buildSchema, findBreakingChanges } from 'graphql';
import { z } from 'zod';

/**
 * `schema/breaking-changes.json`: every breaking change of the API schema since the baseline
 * (`schema/api.baseline.graphql`, the API as last released) must be listed here, with a reason,
 * before it can land. `type` and `description` are exactly what graphql-js `findBreakingChanges`
 * reports, e.g. `{ "type": "FIELD_REMOVED", "description": "Query.foo was removed." }`.
 */
export const breakingChangeAcknowledgementsSchema = z.object({
  acknowledged: z.array(
    z.object({
      type: z.string().min(1),
      description: z.string().min(1),
      reason: z.string().min(10, 'reason must say why clients can live with the change (10+ characters)'),
    }),
  ),
});
export type BreakingChangeAcknowledgements = z.infer<typeof breakingChangeAcknowledgementsSchema>;

/** The acknowledgement file does not have the expected shape. */
export class InvalidAcknowledgementsError extends Error {
  override readonly name = 'InvalidAcknowledgementsError';
}

/**
 * Parses the text of `schema/breaking-changes.json`.
 * @throws {InvalidAcknowledgementsError} naming the bad entry.
 */
export function parseAcknowledgements(text: string): BreakingChangeAcknowledgements {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidAcknowledgementsError(`breaking-changes.json is not JSON: ${(error as Error).message}`);
  }
  const result = breakingChangeAcknowledgementsSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new InvalidAcknowledgementsError(`breaking-changes.json is invalid: ${issues.join('; ')}`);
  }
  return result.data;
}

/** What the breaking-change gate found between the baseline and the current API schema. */
export interface BreakingChangeReport {
  /** Breaking changes nobody acknowledged: these fail the check. */
  unacknowledged: BreakingChange[];
  /** Breaking changes listed in the acknowledgement file. */
  acknowledged: BreakingChange[];
  /** Acknowledgements matching no current change (stale entries): these fail the check too. */
  stale: BreakingChangeAcknowledgements['acknowledged'];
}

/**
 * Compares two API schemas with graphql-js `findBreakingChanges` and sorts each change into
 * acknowledged or not.
 */
export function reviewBreakingChanges(
  baselineSdl: string,
  currentSdl: string,
  acknowledgements: BreakingChangeAcknowledgements,
): BreakingChangeReport {
  const changes = findBreakingChanges(buildSchema(baselineSdl), buildSchema(currentSdl));
  const matches = (change: BreakingChange, ack: { type: string; description: string }): boolean =>
    change.type === ack.type && change.description === ack.description;
  return {
    unacknowledged: changes.filter(
      (change) => !acknowledgements.acknowledged.some((ack) => matches(change, ack)),
    ),
    acknowledged: changes.filter((change) =>
      acknowledgements.acknowledged.some((ack) => matches(change, ack)),
    ),
    stale: acknowledgements.acknowledged.filter((ack) => !changes.some((change) => matches(change, ack))),
  };
}
