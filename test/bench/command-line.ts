/**
 * What a benchmark run on its own from the build (`node test/dist/bench/<name>.js --flag=value`)
 * needs from its command line.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Whether the module at `moduleUrl` (its `import.meta.url`) is the script node was started with. */
export function runsOnItsOwn(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}

/** The value given as `--name=value`, or undefined when there is no such flag. */
export function stringArg(name: string): string | undefined {
  return process.argv.find((value) => value.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** The number given as `--name=value`, or undefined when there is no such flag. */
export function numberArg(name: string): number | undefined {
  const value = stringArg(name);
  return value === undefined ? undefined : Number(value);
}

/** Runs `benchmark`, then exits: 0 when it finished, 1 (the error printed) when it failed. */
export function runThenExit(benchmark: () => Promise<void>): void {
  benchmark().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
