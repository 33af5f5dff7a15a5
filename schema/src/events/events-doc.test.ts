import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENTS } from './catalogue.js';
import { formattedEventsDoc } from './events-doc.js';

const eventsMd = fileURLToPath(new URL('../../EVENTS.md', import.meta.url));

describe('EVENTS.md', () => {
  it('documents every type of the catalogue with its version, producer and consumers', async () => {
    const doc = await readFile(eventsMd, 'utf8');
    for (const [type, definition] of Object.entries(EVENTS)) {
      expect(doc, type).toContain(`### \`${type}\` (v${definition.version})`);
      expect(doc, type).toContain(
        `Producer: ${definition.producer}. Consumers: ${definition.consumers.join(', ')}.`,
      );
    }
  });

  it('matches the catalogue (run `npm run generate:events-doc -w @sportello/schema` after a change)', async () => {
    const doc = await readFile(eventsMd, 'utf8');
    expect(doc).toBe(await formattedEventsDoc(eventsMd));
  });
});
