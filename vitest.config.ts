import { createRequire } from 'node:module';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * One copy of graphql-js for everything: Node resolves a bare `graphql` import to the CommonJS entry
 * (the package has no `exports` map), while Vite would pick the ESM one. Two copies make
 * `instanceof GraphQLSchema` fail ("another module or realm").
 */
const graphqlEntry = require.resolve('graphql');

const shared = {
  resolve: {
    alias: [{ find: /^graphql$/, replacement: graphqlEntry }],
    // Workspace packages export `source` -> src/*.ts, so tests never need a prior build.
    conditions: ['source'],
  },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
};

/**
 * A workspace's own tests: unit tests (`*.test.ts`) and, matched by the same pattern, the adapter
 * tests against PostgreSQL or NATS (`*.adapter.test.ts`). `npm run test:unit` leaves the latter out.
 */
function unit(name: string, root: string): TestProjectInlineConfiguration {
  return {
    ...shared,
    test: {
      name,
      root,
      include: ['src/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      unit('@sportello/schema', 'schema'),
      unit('@sportello/platform', 'platform'),
      unit('@sportello/identity', 'subgraphs/identity'),
      unit('@sportello/anagrafe', 'subgraphs/anagrafe'),
      unit('@sportello/tributi', 'subgraphs/tributi'),
      unit('@sportello/practices', 'subgraphs/practices'),
      unit('@sportello/civil-protection', 'subgraphs/civil-protection'),
      unit('@sportello/gateway', 'gateway'),
      unit('@sportello/notifier', 'notifier'),
      unit('@sportello/hub', 'hub'),
      {
        ...shared,
        test: {
          name: '@sportello/test',
          root: 'test',
          include: ['**/*.e2e.ts'],
          exclude: ['node_modules/**', 'dist/**'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
