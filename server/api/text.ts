/**
 * Input hygiene for text that enters through the HTTP API, in one place:
 * - every string is normalised to Unicode NFC (decomposed Vietnamese from some keyboards and
 *   systems is stored composed, so equal names compare equal);
 * - every free-text field has a length limit (the table in docs/http-api.md) and refuses control
 *   characters (PostgreSQL cannot store NUL) and broken UTF-16 (lone surrogates);
 * - person names also refuse bidi controls (they can make a name read differently on screen
 *   than it is stored) and values that are blank once spaces and zero-width characters go;
 * - an error message repeats at most `SHOWN_MAX` characters of what a caller sent (`shown`).
 * The zod helpers are used by the schemas; `nfcDeep` normalises a parsed body or query as a whole.
 * zod's own messages (a wrong type, a value too short, an unknown option) are in Vietnamese, from
 * its maintained `vi` locale, like every message the API writes itself.
 */
import { z } from 'zod';

z.config(z.locales.vi());

/** The most characters of a caller's value an error message repeats. */
export const SHOWN_MAX = 64;

/** The deepest nesting of arrays and objects a JSON body may have. */
export const MAX_JSON_DEPTH = 32;

/** C0 and C1 control characters, DEL included. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
/** The same, but tab, line feed and carriage return are allowed (multi-line free text). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Bidi marks, embeddings, overrides and isolates. */
const BIDI = /[\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/;
/** White space and the zero-width characters a blank-looking value may consist of. */
const INVISIBLE = /[\s\u200B-\u200D\u2060\uFEFF]/gu;
/** A lone surrogate (half of a UTF-16 pair). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** What `shown` never prints as is: controls, bidi characters, lone surrogates. */
const UNPRINTABLE = new RegExp(`${CONTROL.source}|${BIDI.source}|${LONE_SURROGATE.source}`, 'g');

export const MESSAGES = {
  notText: 'phải là chuỗi ký tự',
  blank: 'không được để trống',
  tooLong: (max: number) => `dài tối đa ${max} ký tự`,
  control: 'không được chứa ký tự điều khiển (U+0000–U+001F, U+007F–U+009F)',
  bidi: 'không được chứa ký tự điều khiển hướng chữ (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C)',
  illFormed: 'chứa ký tự Unicode không hợp lệ (nửa cặp UTF-16)',
} as const;

/**
 * A caller's value as an error message may repeat it: at most `SHOWN_MAX` UTF-16 code units
 * (then "…"), controls, bidi characters and lone surrogates replaced by U+FFFD.
 */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  let cut = text.length > SHOWN_MAX ? text.slice(0, SHOWN_MAX) : text;
  // never end on the first half of a surrogate pair
  if (cut.length < text.length && /[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const safe = cut.replace(UNPRINTABLE, '\uFFFD');
  return cut.length < text.length ? `${safe}…` : safe;
}

/** The value with every string in it normalised to NFC (keys are kept); too deep a nesting is refused. */
export function nfcDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.normalize('NFC');
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_JSON_DEPTH) throw new TooDeepError();
  if (Array.isArray(value)) return value.map((item) => nfcDeep(item, depth + 1));
  // fromEntries defines own properties: a "__proto__" key stays a plain key
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, nfcDeep(item, depth + 1)]));
}

export class TooDeepError extends Error {
  constructor() {
    super(`Nội dung JSON lồng nhau quá ${MAX_JSON_DEPTH} tầng.`);
    this.name = 'TooDeepError';
  }
}

const string = () => z.string({ error: MESSAGES.notText }).normalize('NFC');

/**
 * Free text that may be empty: NFC, trimmed, at most `max` characters, no control characters
 * (tab and line breaks allowed), well-formed UTF-16.
 */
export const freeText = (max: number) =>
  string()
    .trim()
    .max(max, MESSAGES.tooLong(max))
    .refine((v) => !LONE_SURROGATE.test(v), MESSAGES.illFormed)
    .refine((v) => !CONTROL_BUT_LINES.test(v), MESSAGES.control);

/** Free text that must say something: `freeText` that is not blank (spaces and zero-width characters only). */
export const nfcText = (max: number, blank: string = MESSAGES.blank) => freeText(max).refine((v) => v.replace(INVISIBLE, '') !== '', blank);

/** A person's name: one line of text, no control or bidi characters, not blank. */
export const personName = (max: number) =>
  nfcText(max)
    .refine((v) => !CONTROL.test(v), MESSAGES.control)
    .refine((v) => !BIDI.test(v), MESSAGES.bidi);

/**
 * `field.path: message; …` for a 400 answer: path segments and unknown keys are `shown`, at
 * most `MAX_ISSUES` issues are listed (then how many more).
 */
export function describeIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  const MAX_ISSUES = 8;
  const lines = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = [...prefix, ...issue.path].map((key) => shown(String(key))).join('.') || '(body)';
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.slice(0, 3).map((k) => `"${shown(k)}"`).join(', ');
      return `${path}: không nhận trường ${keys}${issue.keys.length > 3 ? ` và ${issue.keys.length - 3} trường khác` : ''}`;
    }
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length - MAX_ISSUES;
  return lines.join('; ') + (more > 0 ? `; và ${more} lỗi khác` : '');
}
