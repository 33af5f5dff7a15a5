/** Names of the shared scalars, as they appear in GraphQL and in error reports. */
export type ScalarName = 'FiscalCode' | 'OrganizationFiscalCode' | 'NoticeNumber' | 'IstatCode';

/** How each scalar is called in messages a person reads. */
export const SCALAR_LABELS: Record<ScalarName, string> = {
  FiscalCode: 'fiscal code',
  OrganizationFiscalCode: 'organization fiscal code',
  NoticeNumber: 'notice number',
  IstatCode: 'ISTAT code',
};

/**
 * A value is not a valid instance of a shared scalar. The message names the scalar and the bad
 * part (`fiscal code: day 99 is not a valid day`) and never repeats the whole value, so it can be
 * logged and shown without leaking the personal data it was about.
 */
export class ScalarValidationError extends Error {
  override readonly name = 'ScalarValidationError';

  constructor(
    /** The scalar that rejected the value. */
    readonly scalar: ScalarName,
    /** The bad part, without the scalar's label: `check letter should be H, got X`. */
    readonly reason: string,
  ) {
    super(`${SCALAR_LABELS[scalar]}: ${reason}`);
  }
}
