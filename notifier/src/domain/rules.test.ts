import { describe, expect, it } from 'vitest';
import { createEvent, type EventDataInput } from '@sportello/schema';
import { planFor, type RuleSettings } from './rules.js';

const SETTINGS: RuleSettings = {
  portalUrl: 'https://servizi.comune.example/portale',
  comuneName: () => 'Comune di Prova',
};
const ALERT: EventDataInput<'alert.issued'> = {
  alertId: '01964c3e-8a36-7cc5-9c57-6f1d1b7d5a10',
  hazard: 'wind',
  colour: 'orange',
  zones: ['Z1', 'Z2'],
  zoneNames: ['Centro', 'Collina'],
  validFrom: '2026-11-23T12:00:00Z',
  validTo: '2026-11-24T12:00:00Z',
  critical: false,
  instructions: 'Fissare gli oggetti sui balconi.\n\nEvitare i parchi.',
};
const event = <T extends 'alert.issued' | 'alert.updated' | 'alert.cancelled' | 'alert.expired'>(
  type: T,
  data: EventDataInput<T>,
) => createEvent(type, { comune: '001272', subject: data.alertId, actor: null, data });

describe('the rules of alert messages', () => {
  it('word an alert with zone names, the staff’s instructions and the portal link', () => {
    const plan = planFor(event('alert.issued', ALERT), SETTINGS)!;
    expect(plan).toMatchObject({
      category: 'civil-protection-alerts',
      critical: false,
      publicPost: true,
      audience: { kind: 'residents', zones: ['Z1', 'Z2'] },
    });
    expect(plan.messages.it).toMatchObject({
      kind: 'alert-issued',
      data: {
        zone: 'Centro, Collina',
        instructions: ['Fissare gli oggetti sui balconi.', 'Evitare i parchi.'],
        url: `https://servizi.comune.example/portale/protezione-civile/allerte/${ALERT.alertId}`,
      },
    });
    const whole = planFor(event('alert.issued', { ...ALERT, wholeComune: true }), SETTINGS)!;
    expect(whole.messages.it).toMatchObject({ data: { zone: 'tutto il territorio comunale' } });
  });

  it('send an update to the zones before and after, critical when the alert was red, even lowered to green', () => {
    const lowered = planFor(
      event('alert.updated', {
        ...ALERT,
        colour: 'green',
        zones: ['Z2'],
        zoneNames: ['Collina'],
        previous: { colour: 'red', zones: ['Z1'], validFrom: ALERT.validFrom, validTo: ALERT.validTo },
      }),
      SETTINGS,
    )!;
    expect(lowered).toMatchObject({
      category: 'critical-alerts',
      critical: true,
      priority: 100,
      audience: { zones: ['Z2', 'Z1'] },
    });
    expect(lowered.messages.en).toMatchObject({
      kind: 'alert-updated',
      data: { colour: 'green', replaces: { colour: 'red' } },
    });
    expect(planFor(event('alert.issued', { ...ALERT, colour: 'green' }), SETTINGS)).toBeNull();
  });

  it('announce a cancellation and an end as an all-clear to the same audience', () => {
    const cancelled = planFor(
      event('alert.cancelled', { ...ALERT, colour: 'red', critical: true, cancelReason: 'Vento in calo' }),
      SETTINGS,
    )!;
    expect(cancelled).toMatchObject({ critical: true, publicPost: true, audience: { zones: ['Z1', 'Z2'] } });
    expect(cancelled.messages.it).toMatchObject({
      kind: 'alert-ended',
      data: { reason: 'cancelled', colour: 'red', cancelReason: 'Vento in calo' },
    });
    const expired = planFor(event('alert.expired', ALERT), SETTINGS)!;
    expect(expired.messages.de).toMatchObject({ kind: 'alert-ended', data: { reason: 'expired' } });
  });

  it('carry an ordinance’s measures, zone names, adoption day and documents', () => {
    const plan = planFor(
      createEvent('ordinance.published', {
        comune: '001272',
        subject: 'ord-1',
        actor: null,
        data: {
          ordinanceId: 'ord-1',
          number: 3,
          year: 2026,
          subject: 'Chiusura dei parchi',
          wholeComune: false,
          zones: ['Z2'],
          zoneNames: ['Collina'],
          adoptedOn: '2026-11-22',
          measures: ['Chiusura dei parchi'],
          documentUrls: ['https://servizi.comune.example/feeds/ordinance-document.pdf?id=d1'],
        },
      }),
      SETTINGS,
    )!;
    expect(plan.messages.it).toMatchObject({
      kind: 'ordinance-published',
      data: {
        number: '3/2026',
        adoptedOn: '2026-11-22',
        measures: ['Chiusura dei parchi'],
        area: 'Collina',
        documents: ['https://servizi.comune.example/feeds/ordinance-document.pdf?id=d1'],
      },
    });
  });
});
