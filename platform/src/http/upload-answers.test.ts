import { describe, expect, it } from 'vitest';
import { privateDownload } from './upload-answers.js';

describe('privateDownload', () => {
  it('answers the stored bytes as an attachment under their name, with the detected type, never cached', () => {
    const bytes = Buffer.from('%PDF-1.7');
    const answer = privateDownload(
      { filename: 'contratto d’affitto.pdf', mimeType: 'application/pdf' },
      bytes,
    );
    expect(answer).toEqual({
      status: 200,
      headers: {
        'content-type': 'application/pdf',
        'content-disposition': "attachment; filename*=UTF-8''contratto%20d%E2%80%99affitto.pdf",
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-store',
      },
      body: new Uint8Array(bytes),
    });
  });
});
