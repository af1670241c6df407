/**
 * Read model: one row per executed step (*bước xử lý*) of a dossier in `steps`: which BPMN
 * element, which unit, when it started, its allotment in working minutes and the due time
 * computed from it on the unit's calendar. A step that runs again (a loop) is a new row.
 * Deadlines moved by re-planning are in `deadline_moves`. See server/readmodel/README.md.
 */
import type { Selectable } from 'kysely';
import type { StepsTable } from '../db/tables';

/** A step as stored; `nextCheckAt` belongs to the SLA monitor. */
export type Step = Selectable<StepsTable>;

/** The id of a step recorded from the engine: one row per element activation. */
export const stepId = (elementInstanceKey: string): string => `step:${elementInstanceKey}`;
