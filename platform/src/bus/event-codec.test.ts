import { computeFiscalCode, createEvent, type EventEnvelope } from '@sportello/schema';
import { describe, expect, it } from 'vitest';
import { parseConsumedEvent } from './event-codec.js';

const CITIZEN = computeFiscalCode({
  surname: 'Esposito',
  name: 'Giulia',
  birthDate: '1990-05-17',
  sex: 'F',
  birthPlaceCode: 'F839',
});

function logged() {
  const lines: { fields: object; message: string }[] = [];
  return {
    lines,
    logger: { error: (fields: object, message: string) => void lines.push({ fields, message }) },
  };
}

describe('parseConsumedEvent', () => {
  const valid = createEvent('citizen.registered', {
    comune: '001272',
    subject: 'ctz_01',
    actor: null,
    data: { citizenId: 'ctz_01', fiscalCode: CITIZEN },
  });

  it('hands a consumer the event of the catalogue', () => {
    const { lines, logger } = logged();
    expect(parseConsumedEvent(valid, logger, 'audit')).toEqual(valid);
    expect(lines).toEqual([]);
  });

  it('skips an event the catalogue refuses, logging where it is wrong but never the values', () => {
    const { lines, logger } = logged();
    const bad = {
      ...valid,
      data: { citizenId: 'ctz_01', fiscalCode: `${CITIZEN.slice(0, 15)}Q` },
    } as EventEnvelope;
    expect(parseConsumedEvent(bad, logger, 'audit')).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toBe('event skipped: invalid');
    expect(lines[0]!.fields).toMatchObject({
      eventId: valid.id,
      type: 'citizen.registered',
      consumer: 'audit',
    });
    expect(JSON.stringify(lines[0]!.fields)).not.toContain(CITIZEN.slice(0, 15));
  });
});
