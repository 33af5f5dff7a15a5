import { describe, expect, it } from 'vitest';
import { certificateValidUntil, checkCertificateRequest, stampDutyFor } from './certificate-rules.js';

describe('stamp duty', () => {
  const settings = { onlineCertificatesExempt: false };
  it('civil-status certificates are always exempt', () => {
    expect(stampDutyFor(['birth'], null, settings)).toMatchObject({
      status: 'exempt',
      reason: 'civil-status',
    });
    expect(stampDutyFor(['birth', 'marriage'], null, settings).status).toBe('exempt');
  });
  it('other certificates pay unless a ground is stated', () => {
    expect(stampDutyFor(['residence'], null, settings)).toEqual({ status: 'due', amountCents: 1600 });
    expect(stampDutyFor(['residence'], 'pension', settings)).toMatchObject({
      status: 'exempt',
      reason: 'pension',
      text: expect.stringContaining('pensionistico') as unknown,
    });
  });
  it('a contestuale mixing civil-status and other kinds pays', () => {
    expect(stampDutyFor(['birth', 'residence'], null, settings).status).toBe('due');
  });
  it('the comune can exempt every online certificate', () => {
    expect(stampDutyFor(['residence'], null, { onlineCertificatesExempt: true })).toMatchObject({
      status: 'exempt',
      reason: 'online',
    });
  });
});

describe('validity', () => {
  it('is 6 months, ending on the same day of the month (or the last day of a shorter month)', () => {
    expect(certificateValidUntil(['residence'], '2026-01-15')).toBe('2026-07-15');
    expect(certificateValidUntil(['family'], '2026-08-31')).toBe('2027-02-28');
  });
  it('has no limit when every fact cannot change', () => {
    expect(certificateValidUntil(['birth'], '2026-01-15')).toBeNull();
    expect(certificateValidUntil(['birth', 'residence'], '2026-01-15')).toBe('2026-07-15');
  });
});

describe('request checks', () => {
  it('names each bad part', () => {
    expect(checkCertificateRequest({ kinds: [], use: 'x' }).map((v) => v.field)).toEqual(['kinds', 'use']);
    expect(checkCertificateRequest({ kinds: ['birth', 'birth'], use: 'concorso pubblico' })).toHaveLength(1);
    expect(checkCertificateRequest({ kinds: ['birth'], use: 'uso privato' })).toEqual([]);
  });
});
