import { computeFiscalCode, createEvent } from '@sportello/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { scratchDatabase, type ScratchDatabase } from '../database/test-support/databases.js';
import { consumeEvents } from './consume-events.js';
import { createInProcessBus } from './in-process-bus.js';

const CITIZEN = computeFiscalCode({
  surname: 'Esposito',
  name: 'Giulia',
  birthDate: '1990-05-17',
  sex: 'F',
  birthPlaceCode: 'F839',
});

describe('consumeEvents', () => {
  let scratch: ScratchDatabase | undefined;
  afterEach(async () => {
    await scratch?.dispose();
    scratch = undefined;
  });

  it('hands the handler the parsed events of its types, in order', async () => {
    scratch = await scratchDatabase('sqlite');
    const database = await scratch.open();
    const bus = createInProcessBus();
    const logged: object[] = [];
    const logger = { error: (fields: object) => void logged.push(fields) };
    const seen: string[] = [];
    let arrived!: () => void;
    const done = new Promise<void>((resolve) => (arrived = resolve));
    const consumer = await consumeEvents(
      { bus, database, logger, name: 'platform-test-citizens', types: ['citizen.registered'] },
      async (event) => {
        seen.push(event.data.citizenId);
        if (event.data.citizenId === 'ctz_good') arrived();
      },
    );
    const event = (citizenId: string) =>
      createEvent('citizen.registered', {
        comune: '001272',
        subject: 'ctz_01',
        actor: null,
        data: { citizenId, fiscalCode: CITIZEN },
      });
    await bus.publish(event('ctz_first'));
    await bus.publish(event('ctz_good'));
    await done;
    expect(seen).toEqual(['ctz_first', 'ctz_good']);
    expect(logged).toEqual([]);
    await consumer.stop();
    await bus.close();
  });
});
