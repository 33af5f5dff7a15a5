import { inflateSync } from 'node:zlib';

/** The WinAnsi codes that differ from Latin-1 and certificates print. */
const WIN_ANSI: Record<number, string> = {
  0x91: '‘',
  0x92: '’',
  0x93: '“',
  0x94: '”',
  0x96: '–',
  0x97: '—',
  0x80: '€',
};

/**
 * The text a PDF made by PDFKit shows, in drawing order (one space between drawn runs, so wrapped
 * lines read as one sentence): its content streams inflated, the hex strings of their `TJ`
 * operators decoded (WinAnsi: Latin-1 but for its typographic quotes and dashes).
 */
export function pdfText(pdf: Buffer): string {
  const source = pdf.toString('latin1');
  const runs: string[] = [];
  const streams = /stream\r?\n/g;
  let match: RegExpExecArray | null;
  while ((match = streams.exec(source)) !== null) {
    const start = match.index + match[0].length;
    const end = source.indexOf('endstream', start);
    if (end < 0) break;
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue;
    }
    for (const operation of content.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      const hex = [...operation[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((chunk) => chunk[1]!).join('');
      runs.push(
        [...Buffer.from(hex, 'hex')].map((byte) => WIN_ANSI[byte] ?? String.fromCharCode(byte)).join(''),
      );
    }
  }
  return runs.join(' ').replace(/\s+/g, ' ');
}
