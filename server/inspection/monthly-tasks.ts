/**
 * The monthly report's late tasks for people to read on /thanh-tra/bao-cao-thang and in
 * `lltp report monthly --json`: each late step of the month as of its cut-off, with its unit, its
 * officer and who answered for the unit when it fell due, built by the very row builders of the
 * report's files (./documents.ts). The rows are read again from the read model as of the cut-off,
 * and their rows digest is recomputed: `asArchived` says whether they are the archived file's rows
 * (false when the unit heads file, or a recorded step, changed since the report was built).
 */
import { audit } from '../audit';
import { formatInstant } from '../calendar/civil-time';
import { listSheets } from './documents';
import { canonicalRows, RowsDigest } from './export/digest';
import { showWorkingMinutes } from './export/display';
import type { ExportRow } from './export/model';
import type { ArchivedMonth, MonthlyReportDeps } from './monthly';
import { lateOfPeriod, type Actor } from './service';

export interface MonthlyLateTask {
  code: string;
  step: string;
  unit: string;
  role: string | null;
  /** Who completed the step, else who held it at the cut-off; null: nobody had taken it. */
  officer: string | null;
  /** Who answered for the unit on the day the step fell due (processes/unit-heads.json). */
  head: string;
  dueAt: string;
  finishedAt: string | null;
  lateMinutes: number;
  /** `1 ngày 2 giờ`, working time as the files show it. */
  lateText: string;
  origin: boolean;
  reason: string | null;
}

export interface MonthlyLateTasks {
  tasks: MonthlyLateTask[];
  asArchived: boolean;
}

const text = (value: ExportRow[string]): string | null => (value === null || value === undefined ? null : String(value));
const instant = (value: ExportRow[string]): string | null => (value instanceof Date ? formatInstant(value.getTime()) : null);

function taskOf(row: ExportRow): MonthlyLateTask {
  const late = Number(row.late);
  return {
    code: String(row.code),
    step: String(row.step),
    unit: String(row.unit),
    role: text(row.role),
    officer: text(row.completedBy) ?? text(row.heldBy),
    head: String(row.head),
    dueAt: instant(row.dueAt) ?? '',
    finishedAt: instant(row.finishedAt),
    lateMinutes: late,
    lateText: showWorkingMinutes(late),
    origin: row.origin === true,
    reason: text(row.reason),
  };
}

/** The archived month's late tasks, re-read as of its cut-off, and whether they hash to the archived rows. */
export async function monthlyLateTasks(deps: MonthlyReportDeps, report: Pick<ArchivedMonth, 'periodFrom' | 'periodTo' | 'rowsSha256'>): Promise<MonthlyLateTasks> {
  // the sheets the files are written from, hashed in the files' order (export/xlsx.ts)
  const sheets = listSheets(lateOfPeriod(deps.service, { from: report.periodFrom, to: report.periodTo }, deps.lineage), deps.heads);
  const digest = new RowsDigest();
  for (const sheet of [sheets.dossiers, sheets.steps]) {
    for await (const cells of canonicalRows(sheet)) digest.update(sheet.name, cells);
  }
  const steps = sheets.steps.rows as ExportRow[];
  return { tasks: steps.map(taskOf), asArchived: digest.hex() === report.rowsSha256 };
}

/**
 * The late tasks as a person reads them (the page, the CLI's JSON), audited as
 * `inspection.monthly.read`: dossier codes and officers are dossier details.
 */
export async function monthlyReadOf(deps: MonthlyReportDeps, actor: Actor, report: Pick<ArchivedMonth, 'month' | 'revision' | 'periodFrom' | 'periodTo' | 'rowsSha256'>): Promise<{ lateTasks: MonthlyLateTask[]; lateTasksAsArchived: boolean }> {
  const { tasks, asArchived } = await monthlyLateTasks(deps, report);
  const detail = `tháng ${report.month} (${deps.agencyCode}), lần lập ${String(report.revision)}: ${String(tasks.length)} việc trễ hạn`;
  await audit(deps.service.db, { at: deps.service.now(), actor: actor.username, action: 'inspection.monthly.read', dossierCode: null, detail });
  return { lateTasks: tasks, lateTasksAsArchived: asArchived };
}
