/**
 * The indicator sets a province is ranked on, as data (regimes.json): each version has its
 * effective date, and each indicator its group, maximum points, the ratio at which it gives full
 * points, its source and how sure that formula is. Points = max × min(1, ratio ÷ fullAt). A
 * successor to QĐ 766 is a new version in the file, never a change of code.
 */
import { z } from 'zod';
import { isLocalDate } from '../calendar/civil-time';
import data from './regimes.json';

export const GROUPS = ['transparency', 'progress', 'digitisation', 'online', 'payment', 'satisfaction'] as const;
export type IndicatorGroup = (typeof GROUPS)[number];

export const groupLabels: Record<IndicatorGroup, string> = {
  transparency: 'Công khai, minh bạch',
  progress: 'Tiến độ, kết quả giải quyết',
  digitisation: 'Số hóa hồ sơ',
  online: 'Cung cấp dịch vụ trực tuyến',
  payment: 'Thanh toán trực tuyến',
  satisfaction: 'Mức độ hài lòng',
};

export const CONFIDENCES = ['official', 'empirical', 'inferred'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export const confidenceLabels: Record<Confidence, string> = {
  official: 'theo văn bản',
  empirical: 'thực nghiệm: suy ra từ số liệu Cổng DVC quốc gia',
  inferred: 'suy luận: chưa có văn bản hay số liệu xác nhận',
};

export const INDICATOR_IDS = [
  'progress.onTime',
  'online.submission',
  'payment.dossiersPaidOnline',
  'payment.transactions',
  'digitisation.resultFile',
  'digitisation.components',
  'digitisation.reuse',
  'digitisation.vneidAccount',
  'satisfaction.handling',
  'transparency.sync',
] as const;
export type IndicatorId = (typeof INDICATOR_IDS)[number];

const indicator = z.strictObject({
  id: z.enum(INDICATOR_IDS),
  group: z.enum(GROUPS),
  name: z.string().min(1),
  max: z.number().positive(),
  fullAt: z.number().positive().max(1),
  source: z.string().min(1),
  confidence: z.enum(CONFIDENCES),
  note: z.string().min(1).optional(),
});
export type IndicatorSpec = z.infer<typeof indicator>;

const version = z.strictObject({
  id: z.string().min(1),
  title: z.string().min(1),
  effectiveFrom: z.string().refine(isLocalDate, 'must be a date YYYY-MM-DD'),
  /** A status feed later than this (minutes) is a late synchronisation. */
  syncOnTimeMinutes: z.number().int().positive(),
  indicators: z.array(indicator).min(1),
});
export type ScoreRegime = z.infer<typeof version>;

const file = z.strictObject({ note: z.string(), versions: z.array(version).min(1) });

/**
 * The synchronisation deadline as people read it: `trong 24 giờ` for 1440 minutes, `trong 90 phút`
 * for 90 (whole hours in hours, anything else in minutes).
 */
export function syncOnTimeText(minutes: number): string {
  return minutes % 60 === 0 ? `trong ${String(minutes / 60)} giờ` : `trong ${String(minutes)} phút`;
}

/** What a note may say of its version, as `{name}` in the data file: each placeholder and its text. */
const notePlaceholders = (v: ScoreRegime): Record<string, string> => ({ syncOnTime: syncOnTimeText(v.syncOnTimeMinutes) });

/** A note with its version's values in words; throws naming the indicator for an unknown `{name}`. */
function renderNote(v: ScoreRegime, i: IndicatorSpec, index: number): IndicatorSpec {
  if (i.note === undefined) return i;
  const values = notePlaceholders(v);
  const note = i.note.replace(/\{(\w*)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`server/scores/regimes.json: ${v.id}.indicators.${String(index)}.note: ${whole} is not one of ${Object.keys(values).map((k) => `{${k}}`).join(', ')}`);
    return value;
  });
  return { ...i, note };
}

/** The versions, oldest first, their notes in words; throws naming the field when the data file is malformed. */
export function loadRegimes(raw: unknown = data): ScoreRegime[] {
  const parsed = file.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`server/scores/regimes.json: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data.versions
    .map((v) => ({ ...v, indicators: v.indicators.map((i, index) => renderNote(v, i, index)) }))
    .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
}

/** The version in force on a civil date (`YYYY-MM-DD`); null before the first. */
export function regimeOn(regimes: readonly ScoreRegime[], date: string): ScoreRegime | null {
  let found: ScoreRegime | null = null;
  for (const r of regimes) if (r.effectiveFrom <= date) found = r;
  return found;
}
