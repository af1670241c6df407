/**
 * The filters of an inspection list or summary, as the API, the pages and the CLI take them,
 * checked against what exists: a period of Việt Nam civil dates (at most 366 days, from not
 * after to), which dates it applies to (received, finished, or either), the agency, the regime
 * (the national model version that governs the dossier: ./regimes.ts), the unit (a unit that
 * handled a step of the dossier), the procedure and its version, the channel, and the verdict. A bad value is an `InspectionInputError` naming the parameter (400).
 */
import { z } from 'zod';
import { dayNumberOf, dayStartMs, isLocalDate, localDateOf } from '../calendar/civil-time';
import { DOSSIER_SOURCES, type DossierSource } from '../readmodel/dossier';
import type { ProcessCatalog } from '../sla/catalog';
import { freeText, shown } from '../api/text';
import { regimeOf, regimesOf } from './regimes';

export const PERIOD_BASES = ['received', 'finished', 'both'] as const;
export type PeriodBasis = (typeof PERIOD_BASES)[number];

/**
 * - late: certificate issued after the statutory due date; onTime: issued by it; overdue: open past it;
 * - lateTargetOrStep: late against the Quy trình 570 target or an internal step's allotment
 *   (QĐ 2799), open or closed, even when finished within the statutory date;
 * - lateAnyClock: late against any of the three clocks (statutory, 570 target, internal step);
 * - all.
 */
export const STATUS_FILTERS = ['late', 'overdue', 'onTime', 'lateTargetOrStep', 'lateAnyClock', 'all'] as const;
/** The weekly report's own: open and late on any clock (not a query parameter). */
export type StatusFilter = (typeof STATUS_FILTERS)[number] | 'openLateAnyClock';

export const SORT_KEYS = ['receivedAt', 'lateness', 'code', 'finishedAt'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** The longest period one list may cover. */
export const MAX_PERIOD_DAYS = 366;

export interface InspectionFilters {
  /** First instant of the period (inclusive). */
  from: Date;
  /** End of the period (exclusive). */
  to: Date;
  /** The period as asked, for headers: civil dates `YYYY-MM-DD` (inclusive), or instants for a report week. */
  fromText: string;
  toText: string;
  basis: PeriodBasis;
  agency: string | null;
  /**
   * The codes of one agency's lineage (processes/agencies.json): the monthly report counts the
   * dossiers of the Sở and of the police that took over from it. Absent: no narrowing.
   */
  agencies?: readonly string[];
  /** The national model version governing the dossiers (./regimes.ts). */
  regime?: string | null;
  unit: string | null;
  procedure: string | null;
  version: string | null;
  channel: DossierSource | null;
  status: StatusFilter;
}

export class InspectionInputError extends Error {
  /** The parameter's name as a caller may be shown it (a name from the query is cut like any value). */
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(`${shown(parameter)}: ${message}`);
    this.parameter = shown(parameter);
    this.name = 'InspectionInputError';
  }
}

/** The longest value of a text filter (agency, regime, unit, procedure, version). */
export const FILTER_TEXT_MAX = 100;

const optionalText = freeText(FILTER_TEXT_MAX)
  .optional()
  .transform((v) => (v === '' || v === undefined ? null : v));

/** The query parameters (strings) of the list and summary. */
export const filterQuery = z.object({
  from: z.string().refine(isLocalDate, 'phải là ngày YYYY-MM-DD'),
  to: z.string().refine(isLocalDate, 'phải là ngày YYYY-MM-DD'),
  basis: z.enum(PERIOD_BASES, { message: `phải là một trong ${PERIOD_BASES.join(', ')}` }).default('received'),
  agency: optionalText,
  regime: optionalText,
  unit: optionalText,
  procedure: optionalText,
  version: optionalText,
  channel: z.enum(DOSSIER_SOURCES, { message: `phải là một trong ${DOSSIER_SOURCES.join(', ')}` }).optional(),
  status: z.enum(STATUS_FILTERS, { message: `phải là một trong ${STATUS_FILTERS.join(', ')}` }).default('all'),
});
export type FilterQuery = z.input<typeof filterQuery>;

/** What a filter may name: the catalog's agencies, procedures and versions, and the units of the models and the calendar. */
export interface FilterVocabulary {
  catalog: ProcessCatalog;
  units: ReadonlySet<string>;
}

/** Every unit a step of some model (or an agency's table) names. */
export function modelUnits(catalog: ProcessCatalog): Set<string> {
  const units = new Set<string>();
  for (const plan of catalog.plans) {
    for (const step of Object.values(plan.steps)) units.add(step.unit);
    for (const terms of Object.values(plan.governs)) units.add(terms.unit);
  }
  return units;
}

function firstIssue(error: z.ZodError): InspectionInputError {
  const issue = error.issues[0];
  const parameter = issue?.path.map(String).join('.') || '(query)';
  const message = issue?.code === 'invalid_type' && issue.input === undefined ? 'thiếu tham số' : (issue?.message ?? 'không hợp lệ');
  return new InspectionInputError(parameter, message);
}

/** The civil dates [from, to] (inclusive) as instants [from 00:00, the day after `to` 00:00) in Việt Nam time. */
export function civilPeriod(from: string, to: string): { from: Date; to: Date; days: number } {
  const first = dayNumberOf(new Date(`${from}T00:00:00+07:00`).getTime());
  const last = dayNumberOf(new Date(`${to}T00:00:00+07:00`).getTime());
  return { from: new Date(dayStartMs(first)), to: new Date(dayStartMs(last + 1)), days: last - first + 1 };
}

/** A `regime` value: the id of a version of a national model the agencies run; else 400 naming the parameter. */
export function checkRegime(catalog: ProcessCatalog, value: string, parameter = 'regime'): string {
  if (regimeOf(catalog, value)) return value;
  const known = regimesOf(catalog).map((r) => r.processId);
  throw new InspectionInputError(parameter, `không có chế độ (phiên bản quy trình quốc gia) ${shown(value)} (có: ${known.join(', ')})`);
}

/** An `agency` value: an agency code of processes/agencies.json; else 400 naming the parameter. */
export function checkAgency(catalog: ProcessCatalog, value: string, parameter = 'agency'): string {
  if (catalog.agencies.some((a) => a.code === value)) return value;
  throw new InspectionInputError(parameter, `không có cơ quan ${shown(value)} (có: ${catalog.agencies.map((a) => a.code).join(', ')})`);
}

/** Checks the query against the vocabulary; every problem names its parameter. */
export function parseFilters(query: unknown, vocabulary: FilterVocabulary): InspectionFilters {
  const parsed = filterQuery.safeParse(query ?? {});
  if (!parsed.success) throw firstIssue(parsed.error);
  const q = parsed.data;
  const period = civilPeriod(q.from, q.to);
  if (period.days < 1) throw new InspectionInputError('from', `ngày bắt đầu ${q.from} sau ngày kết thúc ${q.to}`);
  if (period.days > MAX_PERIOD_DAYS) throw new InspectionInputError('to', `khoảng thời gian ${period.days} ngày, tối đa ${MAX_PERIOD_DAYS} ngày`);
  const { catalog, units } = vocabulary;
  if (q.agency !== null) checkAgency(catalog, q.agency);
  if (q.regime !== null) checkRegime(catalog, q.regime);
  if (q.unit !== null && !units.has(q.unit)) {
    throw new InspectionInputError('unit', `không có đơn vị ${shown(q.unit)} (có: ${[...units].sort().join(', ')})`);
  }
  if (q.procedure !== null && !catalog.procedures().includes(q.procedure)) {
    throw new InspectionInputError('procedure', `không có quy trình ${shown(q.procedure)} (có: ${catalog.procedures().join(', ')})`);
  }
  if (q.version !== null) {
    const plan = catalog.plan(q.version);
    if (!plan) throw new InspectionInputError('version', `không có phiên bản ${shown(q.version)}`);
    if (q.procedure !== null && plan.procedure !== q.procedure) throw new InspectionInputError('version', `${shown(q.version)} không phải phiên bản của ${q.procedure}`);
  }
  return {
    from: period.from,
    to: period.to,
    fromText: q.from,
    toText: q.to,
    basis: q.basis,
    agency: q.agency,
    regime: q.regime,
    unit: q.unit,
    procedure: q.procedure,
    version: q.version,
    channel: q.channel ?? null,
    status: q.status,
  };
}

/** Filters over exact instants (a report week: from the previous cut-off to this one). */
export function instantFilters(from: Date, to: Date, rest: Partial<Omit<InspectionFilters, 'from' | 'to'>> = {}): InspectionFilters {
  return {
    from,
    to,
    fromText: from.toISOString(),
    toText: to.toISOString(),
    basis: 'both',
    agency: null,
    regime: null,
    unit: null,
    procedure: null,
    version: null,
    channel: null,
    status: 'all',
    ...rest,
  };
}

/** `từ 01/11/2026 đến 30/11/2026 (theo ngày tiếp nhận)`. */
export function describePeriod(filters: InspectionFilters): string {
  const show = (text: string): string => (isLocalDate(text) ? text.split('-').reverse().join('/') : text);
  const basis = { received: 'theo ngày tiếp nhận', finished: 'theo ngày giải quyết', both: 'tiếp nhận hoặc giải quyết trong kỳ' }[filters.basis];
  return `từ ${show(filters.fromText)} đến ${show(filters.toText)} (${basis})`;
}

/** Today's civil date in Việt Nam. */
export const todayVn = (now: Date): string => localDateOf(dayNumberOf(now.getTime()));
