import { describe, expect, it } from 'vitest';
import { ALERT_COLOURS, HAZARDS } from '../../domain/alert.js';
import { renderCapAlert, renderCapIndex, type CapAlertSource, type CapContext } from './cap.js';
import { capSchemaErrors } from '@sportello/test-support';
import { capDateTime } from './xml.js';

const context: CapContext = {
  sender: 'protezione-civile.023091@sportello.example',
  senderName: 'Comune di Borgo Adige - Protezione civile',
  comuneName: 'Borgo Adige',
  zones: [
    { code: 'Z1', name: 'Centro & Borgo', regionalAlertZone: 'Ven-B' },
    { code: 'Z2', name: 'Golena', regionalAlertZone: 'Ven-B' },
    { code: 'Z3', name: 'Collina', regionalAlertZone: 'Ven-C' },
  ],
  web: 'https://borgo-adige.example/allerte/1',
  contact: '045 000 1234',
};

function alert(overrides: Partial<CapAlertSource> = {}): CapAlertSource {
  return {
    id: '01960a7e-8f1c-7c3e-9b52-6d1f0a2b3c4d',
    comune: '023091',
    status: 'active',
    hazard: 'hydraulic',
    colour: 'orange',
    phase: 'attention',
    area: { wholeComune: false, zoneCodes: ['Z1', 'Z2'] },
    validFrom: new Date('2025-11-03T12:00:00Z'),
    validUntil: new Date('2025-11-04T12:00:00Z'),
    headline: null,
    instructions: 'Evitare i sottopassi e le zone golenali <Adige>.',
    bulletinReference: 'Bollettino ARPAV n. 301/2025',
    cancelReason: null,
    messageTimes: [new Date('2025-11-03T10:30:00Z')],
    ...overrides,
  };
}

function tag(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((match) => match[1]!);
}

describe('CAP 1.2 rendering', () => {
  it('produces a document the CAP 1.2 schema accepts, for every colour and hazard', async () => {
    for (const colour of ALERT_COLOURS) {
      for (const hazard of HAZARDS) {
        const xml = renderCapAlert(
          alert({ colour, hazard, phase: colour === 'red' ? 'alarm' : null }),
          context,
        );
        expect(await capSchemaErrors(xml), `${colour} ${hazard}`).toEqual([]);
      }
    }
  });

  it('validates updates and cancellations, which reference the earlier messages', async () => {
    const times = [
      new Date('2025-11-03T10:30:00Z'),
      new Date('2025-11-03T16:00:00Z'),
      new Date('2025-11-04T08:00:00Z'),
    ];
    const update = renderCapAlert(alert({ messageTimes: times.slice(0, 2) }), context);
    expect(await capSchemaErrors(update)).toEqual([]);
    expect(tag(update, 'msgType')).toEqual(['Update']);
    expect(tag(update, 'identifier')).toEqual(['01960a7e-8f1c-7c3e-9b52-6d1f0a2b3c4d.2']);
    expect(tag(update, 'references')).toEqual([
      'protezione-civile.023091@sportello.example,01960a7e-8f1c-7c3e-9b52-6d1f0a2b3c4d.1,2025-11-03T11:30:00+01:00',
    ]);

    const cancel = renderCapAlert(
      alert({ status: 'cancelled', cancelReason: 'Livelli del fiume in calo', messageTimes: times }),
      context,
    );
    expect(await capSchemaErrors(cancel)).toEqual([]);
    expect(tag(cancel, 'msgType')).toEqual(['Cancel']);
    expect(tag(cancel, 'note')).toEqual(['Livelli del fiume in calo']);
    expect(tag(cancel, 'urgency')).toEqual(['Past']);
    expect(tag(cancel, 'responseType')).toEqual(['AllClear']);
    expect(tag(cancel, 'references')[0]!.split(' ')).toHaveLength(2);
  });

  it('maps colours to severity and urgency, red being extreme and immediate', () => {
    const read = (colour: CapAlertSource['colour']) => {
      const xml = renderCapAlert(alert({ colour, phase: null }), context);
      return [tag(xml, 'severity')[0], tag(xml, 'urgency')[0]];
    };
    expect(read('red')).toEqual(['Extreme', 'Immediate']);
    expect(read('orange')).toEqual(['Severe', 'Expected']);
    expect(read('yellow')).toEqual(['Moderate', 'Expected']);
    expect(read('green')).toEqual(['Minor', 'Future']);
  });

  it('describes the concerned zones with geocodes and escapes text', () => {
    const xml = renderCapAlert(alert(), context);
    expect(tag(xml, 'areaDesc')).toEqual(['Comune di Borgo Adige: Centro &amp; Borgo, Golena']);
    expect(tag(xml, 'value')).toEqual(expect.arrayContaining(['023091', 'Z1', 'Z2', 'Ven-B']));
    expect(tag(xml, 'value')).not.toContain('Ven-C');
    expect(tag(xml, 'instruction')).toEqual(['Evitare i sottopassi e le zone golenali &lt;Adige&gt;.']);
    expect(tag(xml, 'onset')).toEqual(['2025-11-03T13:00:00+01:00']);

    const whole = renderCapAlert(alert({ area: { wholeComune: true } }), context);
    expect(tag(whole, 'areaDesc')).toEqual(['Intero territorio del Comune di Borgo Adige']);
    expect(tag(whole, 'value')).toEqual(expect.arrayContaining(['Ven-B', 'Ven-C']));
  });

  it('carries the zones’ shapes as CAP polygons (lat,lon, closed) that validate, and the regional zones', async () => {
    const square = [
      [11.0, 45.3],
      [11.01, 45.3],
      [11.01, 45.31],
      [11.0, 45.31],
      [11.0, 45.3],
    ] as Array<[number, number]>;
    const shaped: CapContext = {
      ...context,
      zones: context.zones.map((zone) => ({
        ...zone,
        geometry: zone.code === 'Z3' ? null : { type: 'Polygon', coordinates: [square] },
      })),
    };
    const xml = renderCapAlert(alert(), shaped);
    expect(await capSchemaErrors(xml)).toEqual([]);
    expect(tag(xml, 'polygon')).toEqual([
      '45.3,11 45.3,11.01 45.31,11.01 45.31,11 45.3,11',
      '45.3,11 45.3,11.01 45.31,11.01 45.31,11 45.3,11',
    ]);
    expect(xml.indexOf('<polygon>')).toBeGreaterThan(xml.indexOf('<areaDesc>'));
    expect(xml.indexOf('<polygon>')).toBeLessThan(xml.indexOf('<geocode>'));
    const whole = renderCapAlert(alert({ area: { wholeComune: true } }), shaped);
    expect(tag(whole, 'polygon')).toHaveLength(2);
    expect(await capSchemaErrors(whole)).toEqual([]);
  });

  it('the schema check rejects a document that breaks CAP (the validator is really at work)', async () => {
    const xml = renderCapAlert(alert(), context);
    expect(
      await capSchemaErrors(xml.replace('<severity>Severe</severity>', '<severity>Serious</severity>')),
    ).not.toEqual([]);
    expect(
      await capSchemaErrors(xml.replace(/<sent>[^<]*<\/sent>/, '<sent>2025-11-03T10:30:00Z</sent>')),
    ).not.toEqual([]);
    expect(await capSchemaErrors(xml.replace(/<identifier>[^<]*<\/identifier>\n/, ''))).not.toEqual([]);
  });

  it('indexes alerts in an Atom feed linking each CAP document', () => {
    const xml = renderCapIndex(
      [{ alert: alert(), capUrl: 'https://x.example/feeds/alerts/a.cap.xml?c=1&d=2' }],
      {
        selfUrl: 'https://x.example/feeds/alerts.atom',
        comuneName: 'Borgo Adige',
        senderName: context.senderName,
        updated: new Date('2025-11-03T10:30:00Z'),
      },
    );
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(xml).toContain(
      '<link rel="alternate" type="application/cap+xml" href="https://x.example/feeds/alerts/a.cap.xml?c=1&amp;d=2"/>',
    );
    expect(tag(xml, 'title')).toContain('Allerta arancione per rischio idraulico');
    expect(xml).toContain('<category scheme="urn:sportello:alert:colour" term="orange" label="arancione"/>');

    const cancelled = renderCapIndex(
      [
        {
          alert: alert({
            status: 'cancelled',
            cancelReason: 'Livelli in calo',
            messageTimes: [new Date('2025-11-03T10:30:00Z'), new Date('2025-11-03T18:00:00Z')],
          }),
          capUrl: 'https://x.example/feeds/alert.cap.xml?id=a',
          pageUrl: 'https://x.example/portale/protezione-civile/allerte/a',
        },
      ],
      {
        selfUrl: 'https://x.example/feeds/alerts.atom',
        comuneName: 'Borgo Adige',
        senderName: context.senderName,
        updated: new Date('2025-11-03T18:00:00Z'),
      },
    );
    expect(tag(cancelled, 'title')).toContain('Revocata: Allerta arancione per rischio idraulico');
    expect(tag(cancelled, 'summary')).toEqual(['Allerta revocata: Livelli in calo']);
    expect(tag(cancelled, 'published')).toEqual(['2025-11-03T10:30:00.000Z']);
    expect(cancelled).toContain(
      '<link rel="related" type="text/html" href="https://x.example/portale/protezione-civile/allerte/a"/>',
    );
  });
});

describe('capDateTime', () => {
  it('writes local time with a numeric offset, summer and winter, and UTC as -00:00', () => {
    expect(capDateTime(new Date('2025-07-01T10:00:00Z'), 'Europe/Rome')).toBe('2025-07-01T12:00:00+02:00');
    expect(capDateTime(new Date('2025-01-01T23:30:05Z'), 'Europe/Rome')).toBe('2025-01-02T00:30:05+01:00');
    expect(capDateTime(new Date('2025-01-01T23:30:05Z'), 'UTC')).toBe('2025-01-01T23:30:05-00:00');
  });
});
