/**
 * Writes the configuration table generated from server/config.ts into README.md, between
 * the markers `<!-- config-table:start -->` and `<!-- config-table:end -->`.
 * `--check` exits 1 when the README is out of date (the unit suite runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configTableMarkdown } from '../server/config';

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

export function withConfigTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} section`);
  return `${readme.slice(0, start + START.length)}\n${configTableMarkdown()}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const file = path.resolve(__dirname, '../README.md');
  const current = readFileSync(file, 'utf8');
  const next = withConfigTable(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error('README.md configuration table is out of date: run `npm run docs:config`');
      process.exit(1);
    }
  } else {
    writeFileSync(file, next);
  }
}
