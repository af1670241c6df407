/**
 * Who answers for a unit's late tasks, from head of division upward (the provincial letters ask
 * the monthly Đề án 06 report to name them): `unit-heads.json` beside the models (PROCESSES_DIR),
 * data an operator edits, dated so that a report rebuilt later names who held the post when the
 * task fell late, not who holds it now.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { dayNumberOf, isLocalDate, localDateOf } from '../calendar/civil-time';

export const UNIT_HEADS_FILE = 'unit-heads.json';

const localDate = z.string().refine(isLocalDate, 'must be a date YYYY-MM-DD');
const head = z
  .object({ unit: z.string().min(1), title: z.string().min(1), name: z.string().min(1), from: localDate, to: localDate.nullable() })
  .strict()
  .refine((h) => h.to === null || h.to > h.from, 'to must be after from');
const unitHeadsFile = z.object({ about: z.string().optional(), heads: z.array(head) }).strict();

export type UnitHead = z.infer<typeof head>;

export class UnitHeads {
  constructor(readonly heads: readonly UnitHead[]) {}

  /** `title: name` of the unit's head on the civil day of `at`; null when the file names nobody then. */
  at(unitId: string, at: Date): string | null {
    const day = localDateOf(dayNumberOf(at.getTime()));
    const found = this.heads.find((h) => h.unit === unitId && h.from <= day && (h.to === null || day < h.to));
    return found ? `${found.title}: ${found.name}` : null;
  }
}

/**
 * Reads and checks the file (at start-up, beside the models); a wrong field is named with its
 * path. A folder without the file names nobody: each late task then says the unit's head is not
 * declared, rather than the product refusing to start.
 */
export function loadUnitHeads(dir: string): UnitHeads {
  const file = path.join(dir, UNIT_HEADS_FILE);
  if (!existsSync(file)) return new UnitHeads([]);
  const parsed = unitHeadsFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return new UnitHeads(parsed.data.heads);
}
