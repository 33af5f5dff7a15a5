/**
 * The file types a citizen's upload may have, recognised by their content (magic bytes) rather than
 * by the name or the type the client declares.
 */
const SIGNATURES: ReadonlyArray<{ mimeType: string; matches: (bytes: Uint8Array) => boolean }> = [
  { mimeType: 'application/pdf', matches: (b) => ascii(b, 0, 5) === '%PDF-' },
  {
    mimeType: 'image/png',
    matches: (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((byte, i) => b[i] === byte),
  },
  { mimeType: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mimeType: 'image/webp', matches: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP' },
];

/** Every type {@link detectFileType} recognises: PDF, PNG, JPEG, WebP. */
export const DETECTABLE_FILE_TYPES: readonly string[] = SIGNATURES.map((s) => s.mimeType);

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

/** The MIME type the content really has, or null when it is none of {@link DETECTABLE_FILE_TYPES}. */
export function detectFileType(bytes: Uint8Array): string | null {
  return SIGNATURES.find((signature) => signature.matches(bytes))?.mimeType ?? null;
}
