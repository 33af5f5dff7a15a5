import { isValidFiscalCode, parseFiscalCode, type FiscalCode } from '@sportello/schema';

/**
 * Maps the fiscal-code claim of a SPID/CIE gateway to a fiscal code. SPID sends `fiscalNumber` as
 * `TINIT-<code>` (the ETSI prefix for an Italian tax id); some gateways strip the prefix.
 *
 * @returns `undefined` when the claim is missing or is not an Italian personal fiscal code.
 */
export function fiscalCodeFromUpstreamClaim(claim: unknown): FiscalCode | undefined {
  if (typeof claim !== 'string') return undefined;
  const trimmed = claim.trim().toUpperCase();
  const bare = trimmed.startsWith('TINIT-') ? trimmed.slice('TINIT-'.length) : trimmed;
  return isValidFiscalCode(bare) ? parseFiscalCode(bare) : undefined;
}
