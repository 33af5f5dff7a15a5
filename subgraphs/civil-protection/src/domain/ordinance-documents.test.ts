import { describe, expect, it } from 'vitest';
import { plainTextPdf } from '../seed/plain-text-pdf.js';
import { checkUpload, MAX_DOCUMENT_BYTES, sha256Hex } from './ordinance-documents.js';

describe('checkUpload: the mutation (base64) and the upload route (bytes) alike', () => {
  const pdf = plainTextPdf(['Ordinanza n. 12/2026']);

  it('reads the same file from either form', () => {
    const base64 = checkUpload({
      title: ' Testo ',
      fileName: 'atti/ordinanza',
      contentBase64: pdf.toString('base64'),
    });
    const bytes = checkUpload({ title: ' Testo ', fileName: 'atti/ordinanza', content: new Uint8Array(pdf) });
    expect(base64).toEqual(bytes);
    expect(bytes).toMatchObject({ ok: true, title: 'Testo', fileName: 'ordinanza.pdf' });
    expect(bytes.ok && sha256Hex(bytes.content)).toBe(sha256Hex(pdf));
  });

  it('refuses the same contents for the same reasons, each naming the field it came in', () => {
    const refusals = (content: Buffer) =>
      [
        checkUpload({ title: 'T', fileName: 'a.pdf', contentBase64: content.toString('base64') }),
        checkUpload({ title: 'T', fileName: 'a.pdf', content }),
      ].map((checked) => (checked.ok ? [] : checked.violations));
    expect(refusals(Buffer.from('GIF89a not a pdf'))).toEqual([
      [{ field: 'contentBase64', reason: 'NOT_PDF', message: expect.stringContaining('not a PDF') }],
      [{ field: 'body', reason: 'NOT_PDF', message: expect.stringContaining('not a PDF') }],
    ]);
    expect(refusals(Buffer.alloc(0)).map((v) => v[0]?.reason)).toEqual(['EMPTY', 'EMPTY']);
    const huge = Buffer.concat([pdf, Buffer.alloc(MAX_DOCUMENT_BYTES)]);
    expect(refusals(huge).map((v) => v[0]?.reason)).toEqual(['TOO_LARGE', 'TOO_LARGE']);
    const notBase64 = checkUpload({ title: '', fileName: 'a.pdf', contentBase64: 'not base64!' });
    expect(!notBase64.ok && notBase64.violations.map((v) => [v.field, v.reason])).toEqual([
      ['title', undefined],
      ['contentBase64', 'NOT_BASE64'],
    ]);
  });
});
