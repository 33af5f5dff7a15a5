/** Prints the identity subgraph SDL into schema.graphql: `npm run generate:sdl -w @sportello/identity`. */
import { writeFile } from 'node:fs/promises';
import { printSubgraphSchema } from '@apollo/subgraph';
import { buildIdentitySchema } from './graphql/schema.js';

const sdl = printSubgraphSchema(await buildIdentitySchema());
await writeFile(new URL('../schema.graphql', import.meta.url), `${sdl}\n`);
console.log('identity: schema.graphql written');
