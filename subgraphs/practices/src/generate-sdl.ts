/** Prints the subgraph SDL (`npm run generate:sdl`, after a build) into schema.graphql. */
import { writeFile } from 'node:fs/promises';
import { printSubgraphSchema } from '@apollo/subgraph';
import { buildPracticesSchema } from './graphql/schema.js';

const sdl = printSubgraphSchema(await buildPracticesSchema());
await writeFile(new URL('../schema.graphql', import.meta.url), `${sdl}\n`);
console.log('practices: schema.graphql written');
