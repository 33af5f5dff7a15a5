/**
 * What the build ships: walks the `dist` of every production workspace (all but this one and
 * `test-support`, which exist for the tests) after `npm run build` and fails on test code in it:
 * test files, test-support or test-peer modules, or an import of a test tool or of a package the
 * workspace does not have among its dependencies (a devDependency, which a production install
 * would not even have, or one it only reaches through another package).
 * It builds nothing: a stale file left in a `dist` by an earlier build fails it too.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEST_WORKSPACES = new Set(['@sportello/test', '@sportello/test-support']);
const TEST_TOOLS = ['vitest', '@vitest/', '@sportello/test-support'];
/** Repository tools a workspace's own generator scripts run with (never imported by its services). */
const GENERATOR_TOOLS: Readonly<Record<string, readonly string[]>> = {
  // `npm run generate:events-doc` formats EVENTS.md with the repository's prettier.
  '@sportello/schema': ['prettier'],
};
const TEST_FILE = /(^|\/)([^/]*\.(test|e2e|spec)\.[^/]*|test-support|test-peers|testing(\.[^/]*)?)(\/|$)/;

interface Manifest {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

async function manifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** The workspace folders of the root package.json (`dir/*` patterns expanded one level). */
async function workspaceDirs(): Promise<string[]> {
  const dirs: string[] = [];
  for (const pattern of (await manifest(ROOT)).workspaces ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = join(ROOT, pattern.slice(0, -2));
      for (const entry of await readdir(parent, { withFileTypes: true })) {
        if (entry.isDirectory() && existsSync(join(parent, entry.name, 'package.json'))) {
          dirs.push(join(parent, entry.name));
        }
      }
    } else {
      dirs.push(join(ROOT, pattern));
    }
  }
  return dirs;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** The package names a module compiled by tsc imports (static, re-export, side-effect, dynamic). */
function importedPackages(code: string): string[] {
  const specifiers = [
    ...code.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm),
    ...code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1]!);
  return specifiers
    .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

const workspaces = await Promise.all(
  (await workspaceDirs()).map(async (dir) => ({ dir, manifest: await manifest(dir) })),
);
const production = workspaces.filter(({ manifest }) => !TEST_WORKSPACES.has(manifest.name));

describe('the build output of every production workspace', () => {
  it('covers every workspace but the test ones, each built', () => {
    expect(production.length).toBeGreaterThanOrEqual(10);
    const unbuilt = production.filter(({ dir }) => !existsSync(join(dir, 'dist')));
    expect(
      unbuilt.map(({ manifest }) => manifest.name),
      'run `npm run build` first',
    ).toEqual([]);
  });

  it.each(production.map(({ dir, manifest }) => [manifest.name, dir, manifest] as const))(
    '%s ships no test code',
    async (_name, dir, manifest) => {
      const dist = join(dir, 'dist');
      const dependencies = new Set([
        manifest.name,
        ...Object.keys(manifest.dependencies ?? {}),
        ...(GENERATOR_TOOLS[manifest.name] ?? []),
      ]);
      const found: string[] = [];
      for (const file of await filesUnder(dist)) {
        const path = relative(dist, file);
        if (TEST_FILE.test(path)) {
          found.push(`${path}: a test file`);
          continue;
        }
        // Browser bundles (the dashboard's `assets/`) import nothing at run time.
        if (!/\.(c|m)?js$/.test(path) || path.startsWith('assets/')) continue;
        for (const imported of importedPackages(await readFile(file, 'utf8'))) {
          const tool = TEST_TOOLS.find((name) =>
            name.endsWith('/') ? imported.startsWith(name) : imported === name,
          );
          if (tool !== undefined) found.push(`${path}: imports the test tool ${imported}`);
          else if (!dependencies.has(imported)) found.push(`${path}: imports ${imported}, not a dependency`);
        }
      }
      expect(found).toEqual([]);
    },
  );
});
