import { generateKeyPairSync, sign } from 'node:crypto';

type Claims = Record<string, unknown>;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Claims;

/** The header and claims of a JWT, read without verifying it. */
export function readJwt(token: string): { header: Claims; claims: Claims } {
  const [header, claims] = token.split('.');
  if (header === undefined || claims === undefined) throw new Error('not a JWT: expected three parts');
  return { header: decode(header), claims: decode(claims) };
}

/** The token with its claims changed and its original signature kept: what a tamperer sends. */
export function tamperedToken(token: string, changes: Claims): string {
  const [header, claims, signature] = token.split('.');
  if (header === undefined || claims === undefined || signature === undefined) {
    throw new Error('not a JWT: expected three parts');
  }
  return [header, encode({ ...decode(claims), ...changes }), signature].join('.');
}

/**
 * A well-formed ES256 token with the given header and claims, signed by a key the issuer never
 * published (the header may still name the issuer's `kid`).
 */
export function foreignSignedToken(header: Claims, claims: Claims): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const input = `${encode({ ...header, alg: 'ES256' })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** An unsigned token (`alg: none`), which no verifier may accept. */
export function unsignedToken(header: Claims, claims: Claims): string {
  return `${encode({ ...header, alg: 'none' })}.${encode(claims)}.`;
}
