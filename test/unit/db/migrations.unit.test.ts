/** Every migration file is in the migrator's list, in file-name order, and each has an `up`. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { migrationNames } from '../../../server/db/migrate';
import { migrations } from '../../../server/db/migrations';

const dir = path.resolve(__dirname, '../../../server/db/migrations');
const files = readdirSync(dir)
  .filter((f) => /^\d{4}-.+\.ts$/.test(f))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

test('the list names every migration file and nothing else', () => {
  expect(migrationNames()).toEqual(files);
});

test('migration names are numbered without gaps from 0001', () => {
  expect(files.map((f) => Number(f.slice(0, 4)))).toEqual(files.map((_f, i) => i + 1));
});

test.each(files)('%s has an up function', (name) => {
  expect(typeof migrations[name]?.up).toBe('function');
});
