import { randomBytes } from 'node:crypto';

/**
 * A PDF a few hundred bytes over `size`, as a scanned signed act weighs: one blank page and an
 * unreferenced binary stream of `size` random bytes (so no two are alike and nothing compresses
 * them), with a proper cross-reference table and `%%EOF`.
 */
export function scannedPdf(size: number): Buffer<ArrayBuffer> {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  const add = (...chunks: Buffer[]) => {
    offsets.push(length);
    for (const chunk of chunks) {
      parts.push(chunk);
      length += chunk.length;
    }
  };
  const text = (value: string) => Buffer.from(value, 'latin1');
  add(text('1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n'));
  add(text('2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n'));
  add(text('3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n'));
  add(text(`4 0 obj\n<< /Length ${size} >>\nstream\n`), randomBytes(size), text('\nendstream\nendobj\n'));
  const xref = length;
  parts.push(
    text(
      `xref\n0 ${offsets.length + 1}\n0000000000 65535 f \n` +
        offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('') +
        `trailer\n<< /Size ${offsets.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
    ),
  );
  return Buffer.concat(parts);
}
