/** Prints the notifier subgraph SDL into schema.graphql: `npm run generate:sdl -w @sportello/notifier`. */
import { writeFile } from 'node:fs/promises';
import { printSubgraphSchema } from '@apollo/subgraph';
import { buildNotifierSchema } from './graphql/schema.js';

const sdl = printSubgraphSchema(await buildNotifierSchema());
await writeFile(new URL('../schema.graphql', import.meta.url), `${sdl}\n`);
console.log('notifier: schema.graphql written');
