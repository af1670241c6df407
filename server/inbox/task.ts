/**
 * The task inbox's read model (`tasks`): one row per human step (job-worker user task, job
 * type `io.camunda.zeebe:userTask`), keyed by its element instance, so a job re-delivered
 * after a timeout updates the same task with its new job key.
 */
import type { Selectable } from 'kysely';
import type { TasksTable } from '../db/tables';

export const TASK_STATUSES = ['open', 'claimed', 'completed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A task as stored; `shown` holds values shown with the task (dates, ids; never personal data), as text. */
export type Task = Selectable<TasksTable>;

export const taskId = (elementInstanceKey: string): string => `task:${elementInstanceKey}`;
