/** Prints the tributi subgraph SDL into schema.graphql: `npm run generate:sdl -w @sportello/tributi`. */
import { writeFile } from 'node:fs/promises';
import { printSubgraphSchema } from '@apollo/subgraph';
import { buildTributiSchema } from './graphql/schema.js';

const sdl = printSubgraphSchema(await buildTributiSchema());
await writeFile(new URL('../schema.graphql', import.meta.url), `${sdl}\n`);
console.log('tributi: schema.graphql written');
