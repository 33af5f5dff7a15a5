/** What every benchmark section hands back to the harness, and how it is printed and stored. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** A printable table: a header row and body rows of the same width. */
export interface Table {
  header: string[];
  rows: string[][];
}

/** The outcome of one section. */
export interface SectionResult {
  /** Section name, also the JSON file name under `bench-results/`. */
  section: string;
  /** One line saying what was measured. */
  title: string;
  tables: Table[];
  /** What was scaled down, caveats, TODOs: printed under the tables. */
  notes: string[];
  /** Everything measured, written as JSON. */
  data: unknown;
}

/** Formats a table with the first column left-aligned and the others right-aligned. */
export function formatTable(table: Table): string {
  const all = [table.header, ...table.rows];
  const widths = table.header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(table.header), rule, ...table.rows.map(line)].join('\n');
}

/** Prints a section's tables and notes. */
export function formatSection(result: SectionResult): string {
  return [
    `== ${result.section}: ${result.title}`,
    ...result.tables.map(formatTable),
    ...result.notes.map((note) => `  * ${note}`),
  ].join('\n\n');
}

/** Writes `bench-results/<section>.json` (relative to `dir`) and returns its path. */
export async function writeSectionJson(result: SectionResult, dir = 'bench-results'): Promise<string> {
  const path = resolve(join(dir, `${result.section}.json`));
  await mkdir(resolve(dir), { recursive: true });
  const { section, title, notes, data } = result;
  await writeFile(
    path,
    `${JSON.stringify({ section, title, at: new Date().toISOString(), notes, data }, null, 2)}\n`,
  );
  return path;
}

/** A number for a table cell; `-` for null. */
export function cell(value: number | null | undefined, suffix = ''): string {
  return value === null || value === undefined ? '-' : `${value}${suffix}`;
}
