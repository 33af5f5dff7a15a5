import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { formattedEventsDoc } from './events/events-doc.js';

// Writes schema/EVENTS.md from the catalogue (run from the built package: `npm run generate:events-doc`).
const target = fileURLToPath(new URL('../EVENTS.md', import.meta.url));
await writeFile(target, await formattedEventsDoc(target));
