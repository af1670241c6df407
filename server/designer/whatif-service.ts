/**
 * The what-if as the API, the CLI and the bench run it: check the period and the draft, lint
 * the draft like a deploy (./draft-lint.ts), read its SLA plan, put it in place of the installed
 * versions of its procedure, load the dossiers those versions governed in the period
 * (./whatif-data.ts) and re-judge them (./whatif.ts). It never deploys, and only reads.
 */
import { calendarPolicyFromConfig } from '../calendar/policy';
import { dayNumberOfLocalDate, dayStartMs, isLocalDate } from '../calendar/civil-time';
import type { WorkingCalendars } from '../calendar/working-calendar';
import type { DueSoonPolicy } from '../calendar/status';
import type { DeadlinePolicy } from '../calendar/deadlines';
import type { Config } from '../config';
import type { Db } from '../db';
import { regimeOn, type ScoreRegime } from '../scores/regime';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AGENCIES_FILE, loadProcessCatalog, processFiles, ProcessCatalog, ProcessCatalogError } from '../sla/catalog';
import { BpmnReadError } from '../sla/moddle';
import { loadSlaPlans, SlaPlanError, type SlaPlan } from '../sla/plan';
import { escalationSchema, type EscalationLevel } from '../sla/spec';
import { describeProblem, DRAFT_FILE, lintDraft, processIdsOf, sha256Of, type DraftProblem } from './draft-lint';
import { loadWhatIfDossiers } from './whatif-data';
import { whatIf, type WhatIfResult } from './whatif';

/** The audit's action (API and CLI); its detail names the period and the draft's SHA-256. */
export const WHATIF_AUDIT_ACTION = 'processes.whatif';

/** The longest period a what-if re-judges, in days (a year, leap day included). */
export const MAX_PERIOD_DAYS = 366;

export interface WhatIfDeps {
  db: Db;
  calendars: () => Promise<WorkingCalendars>;
  processesDir: string;
  dueSoon: DueSoonPolicy;
  deadlinePolicy: DeadlinePolicy;
  dossierEscalation: readonly EscalationLevel[];
  regimes: readonly ScoreRegime[];
  /** The process's live catalog (with the versions deployed by approval); absent (the CLI): the folder's files. */
  catalog?: () => ProcessCatalog;
}

/** A bad input, naming the parameter (`from`, `to`, `body`). */
export class WhatIfInputError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
    this.name = 'WhatIfInputError';
  }
}

/** The draft does not lint: nothing was re-judged. */
export class DraftLintError extends Error {
  constructor(readonly problems: readonly DraftProblem[]) {
    super(`Mô hình nháp chưa đạt kiểm tra (${problems.length} lỗi):\n${problems.map((p) => `  ${describeProblem(p)}`).join('\n')}`);
    this.name = 'DraftLintError';
  }
}

export interface WhatIfPeriod {
  /** Receipt dates, inclusive, Việt Nam civil dates. */
  first: string;
  last: string;
  from: Date;
  to: Date;
}

/** The period of receipt dates [first, last], checked. */
export function whatIfPeriod(first: unknown, last: unknown): WhatIfPeriod {
  if (typeof first !== 'string' || !isLocalDate(first)) throw new WhatIfInputError('from', 'phải là ngày YYYY-MM-DD');
  if (typeof last !== 'string' || !isLocalDate(last)) throw new WhatIfInputError('to', 'phải là ngày YYYY-MM-DD');
  const a = dayNumberOfLocalDate(first);
  const b = dayNumberOfLocalDate(last);
  if (a > b) throw new WhatIfInputError('from', `phải không sau ngày kết thúc (to = ${last})`);
  if (b - a + 1 > MAX_PERIOD_DAYS) throw new WhatIfInputError('to', `khoảng thời gian dài tối đa ${MAX_PERIOD_DAYS} ngày`);
  return { first, last, from: new Date(dayStartMs(a)), to: new Date(dayStartMs(b + 1)) };
}

export function whatIfDepsFromConfig(config: Config, db: Db, calendars: () => Promise<WorkingCalendars>, processesDir: string, regimes: readonly ScoreRegime[]): WhatIfDeps {
  const chain = escalationSchema.safeParse(config.MONITOR_DOSSIER_ESCALATION);
  if (!chain.success) throw new Error(`MONITOR_DOSSIER_ESCALATION: ${chain.error.issues.map((i) => i.message).join('; ')}`);
  const policy = calendarPolicyFromConfig(config);
  return { db, calendars, processesDir, dueSoon: policy.dueSoon, deadlinePolicy: policy.deadlines, dossierEscalation: chain.data, regimes };
}

export interface WhatIfReport extends WhatIfResult {
  period: { from: string; to: string };
  model: { processId: string; procedure: string; name: string; effectiveFrom: string; sha256: string };
  /** The installed versions the draft stood in for. */
  replaces: string[];
}

/** The draft's one SLA plan, or the reason it is not a model that can be judged. */
async function draftPlan(xml: string): Promise<SlaPlan> {
  let plans: SlaPlan[];
  try {
    plans = await loadSlaPlans(xml, DRAFT_FILE);
  } catch (error) {
    if (error instanceof SlaPlanError) throw new DraftLintError(error.problems.map((p) => ({ elementId: p.elementId, property: null, rule: 'lltp/catalog', message: p.message, file: DRAFT_FILE })));
    throw error;
  }
  if (plans.length !== 1) throw new WhatIfInputError('body', `mô hình nháp phải có đúng một quy trình thực thi (có ${plans.length})`);
  return plans[0] as SlaPlan;
}

/** The body must read as BPMN 2.0 with an executable process before it is linted. */
async function checkBpmn(xml: string): Promise<void> {
  if (!/<(\w+:)?definitions[\s>]/.test(xml)) throw new WhatIfInputError('body', 'không phải tệp BPMN (thiếu phần tử bpmn:definitions)');
  try {
    if ((await processIdsOf(xml)).length === 0) throw new WhatIfInputError('body', 'tệp BPMN không có quy trình thực thi (isExecutable="true")');
  } catch (error) {
    if (error instanceof BpmnReadError) throw new WhatIfInputError('body', 'không phải tệp BPMN đọc được (XML hỏng)');
    throw error;
  }
}

/** The installed catalog with the draft standing in for every version of its procedure (ids and periods kept). */
export function withDraft(current: ProcessCatalog, draft: SlaPlan): ProcessCatalog {
  const plans = current.plans.map((p) =>
    p.procedure === draft.procedure ? { ...draft, processId: p.processId, effectiveFrom: p.effectiveFrom, effectiveTo: p.effectiveTo, source: DRAFT_FILE } : p,
  );
  try {
    return new ProcessCatalog(plans, current.agencies);
  } catch (error) {
    if (error instanceof ProcessCatalogError) throw new WhatIfInputError('body', error.message);
    throw error;
  }
}

let installed: { key: string; catalog: ProcessCatalog } | null = null;

/** The installed catalog, read again only when a file of the folder changed (their texts' SHA-256). */
async function installedCatalog(dir: string): Promise<ProcessCatalog> {
  const files = [...(await processFiles(dir)), path.join(dir, AGENCIES_FILE)];
  const key = sha256Of((await Promise.all(files.map(async (f) => `${f}\n${sha256Of(await readFile(f, 'utf8'))}`))).join('\n'));
  if (installed?.key !== key) installed = { key, catalog: await loadProcessCatalog(dir) };
  return installed.catalog;
}

export async function runWhatIf(deps: WhatIfDeps, xml: string, period: WhatIfPeriod): Promise<WhatIfReport> {
  await checkBpmn(xml);
  const problems = await lintDraft(xml, deps.processesDir);
  if (problems.length > 0) throw new DraftLintError(problems);
  const draft = await draftPlan(xml);
  const current = deps.catalog?.() ?? (await installedCatalog(deps.processesDir));
  const replaces = current.versions(draft.procedure).map((p) => p.processId);
  const dossiers = await loadWhatIfDossiers(deps.db, period, replaces);
  const result = whatIf({
    dossiers,
    current,
    draft: withDraft(current, draft),
    calendars: await deps.calendars(),
    from: period.from,
    to: period.to,
    dueSoon: deps.dueSoon,
    deadlinePolicy: deps.deadlinePolicy,
    dossierEscalation: deps.dossierEscalation,
    regime: regimeOn(deps.regimes, period.first),
  });
  return {
    period: { from: period.first, to: period.last },
    model: { processId: draft.processId, procedure: draft.procedure, name: draft.name, effectiveFrom: draft.effectiveFrom, sha256: sha256Of(xml) },
    replaces,
    ...result,
  };
}
