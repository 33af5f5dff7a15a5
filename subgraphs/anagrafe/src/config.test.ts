import { ConfigError } from '@sportello/platform';
import { describe, expect, it } from 'vitest';
import { loadAnagrafeConfig } from './config.js';

describe('anagrafe configuration', () => {
  it('has working defaults', () => {
    const config = loadAnagrafeConfig({});
    expect(config).toMatchObject({
      port: 4002,
      database: { driver: 'sqlite', url: './data/anagrafe.db' },
      onlineCertificatesExempt: false,
      timeZone: 'Europe/Rome',
      // Links go to the public origin (the gateway), never to the service's own port.
      certificateVerificationUrl: 'http://localhost:4000/certificates/verify',
      jobs: { reminderOffsetsDays: [180, 30, 7], expiredNoticeLookbackDays: 30, intervalMinutes: 60 },
    });
  });

  it('reads the settings the comune chooses', () => {
    const config = loadAnagrafeConfig({
      PUBLIC_URL: 'https://anagrafe.comune.example/',
      ONLINE_CERTIFICATES_EXEMPT: 'true',
      DOCUMENT_REMINDER_OFFSETS: '7, 60,60',
    });
    expect(config.publicUrl).toBe('https://anagrafe.comune.example');
    expect(config.certificateVerificationUrl).toBe('https://anagrafe.comune.example/certificates/verify');
    expect(config.onlineCertificatesExempt).toBe(true);
    expect(config.jobs.reminderOffsetsDays).toEqual([60, 7]);
  });

  it('stops on bad values, naming each', () => {
    const attempt = () =>
      loadAnagrafeConfig({ DOCUMENT_REMINDER_OFFSETS: '180,soon', TIME_ZONE: 'Mars/Olympus', PORT: 'x' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/DOCUMENT_REMINDER_OFFSETS/);
    expect(attempt).toThrow(/TIME_ZONE/);
    expect(attempt).toThrow(/PORT/);
  });
});
