/** Prints the anagrafe subgraph SDL into schema.graphql: `npm run generate:sdl -w @sportello/anagrafe`. */
import { writeFile } from 'node:fs/promises';
import { printSubgraphSchema } from '@apollo/subgraph';
import { buildAnagrafeSchema } from './graphql/schema.js';

const sdl = printSubgraphSchema(await buildAnagrafeSchema());
await writeFile(new URL('../schema.graphql', import.meta.url), `${sdl}\n`);
console.log('anagrafe: schema.graphql written');
