import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withConfigTable } from '../../tools/gen-config-table';

const repo = path.resolve(__dirname, '../..');
const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');

test('the README configuration table is generated from server/config.ts and up to date', () => {
  expect(withConfigTable(readme)).toBe(readme);
});

test('the README names the two commands and CI runs the README test command', () => {
  expect(readme).toContain('npm run demo');
  expect(readme).toContain('npm test');
  const ci = readFileSync(path.join(repo, '.ci/run'), 'utf8');
  expect(ci).toMatch(/^npm test(\s|$)/m);
});
