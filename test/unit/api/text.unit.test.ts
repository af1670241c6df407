import { z } from 'zod';
import { describeIssues, freeText, MAX_JSON_DEPTH, nfcDeep, nfcText, personName, shown, SHOWN_MAX, TooDeepError } from '../../../server/api/text';

const NFD_NAME = 'Nguyê\u0303n Văn Hu\u0300ng'.normalize('NFD');
const NFC_NAME = 'Nguyễn Văn Hùng';

const refusal = (schema: z.ZodType, value: unknown): string | null => {
  const parsed = schema.safeParse(value);
  return parsed.success ? null : describeIssues(parsed.error, ['applicant', 'fullName']);
};

describe('NFC', () => {
  test.each([
    ['personName', personName(100)],
    ['nfcText', nfcText(100)],
    ['freeText', freeText(100)],
  ])('%s stores decomposed Vietnamese composed (and trimmed)', (_name, schema) => {
    expect(NFD_NAME).not.toBe(NFC_NAME);
    expect(schema.parse(`  ${NFD_NAME} `)).toBe(NFC_NAME);
  });

  test('nfcDeep normalises every string of a body, keys kept, "__proto__" a plain key', () => {
    const body = JSON.parse(`{"a":"${NFD_NAME}","b":[1,null,{"c":"${NFD_NAME}"}],"__proto__":{"polluted":"${NFD_NAME}"}}`) as unknown;
    const out = nfcDeep(body) as Record<string, unknown>;
    expect(out).toEqual({ a: NFC_NAME, b: [1, null, { c: NFC_NAME }], ['__proto__']: { polluted: NFC_NAME } });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test(`nfcDeep refuses a body nested deeper than ${MAX_JSON_DEPTH}`, () => {
    const nested = (depth: number): unknown => (depth === 0 ? 'x' : [nested(depth - 1)]);
    expect(() => nfcDeep(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => nfcDeep(nested(MAX_JSON_DEPTH + 1))).toThrow(TooDeepError);
  });
});

describe('person names', () => {
  test.each([
    ['NUL', 'Nguyễn\u0000Văn', 'ký tự điều khiển'],
    ['a C0 control (tab)', 'Nguyễn\tVăn', 'ký tự điều khiển'],
    ['a line feed', 'Nguyễn\nVăn', 'ký tự điều khiển'],
    ['DEL', 'Nguyễn\u007fVăn', 'ký tự điều khiển'],
    ['a C1 control', 'Nguyễn\u0085Văn', 'ký tự điều khiển'],
    ['a right-to-left override', 'Nguyễn \u202eVăn', 'hướng chữ'],
    ['a left-to-right embedding', '\u202aNguyễn', 'hướng chữ'],
    ['a pop directional formatting', 'Nguyễn\u202c', 'hướng chữ'],
    ['a first-strong isolate', 'Nguyễn \u2068Văn\u2069', 'hướng chữ'],
    ['a right-to-left mark', 'Nguyễn\u200f', 'hướng chữ'],
    ['a left-to-right mark', '\u200eNguyễn', 'hướng chữ'],
    ['an Arabic letter mark', 'Nguyễn\u061c', 'hướng chữ'],
    ['empty', '', 'không được để trống'],
    ['only spaces', '   ', 'không được để trống'],
    ['only zero-width spaces', '\u200b\u200b', 'không được để trống'],
    ['only zero-width joiners and a word joiner', '\u200c\u200d\u2060', 'không được để trống'],
    ['only a byte order mark and no-break spaces', '\ufeff\u00a0\u3000', 'không được để trống'],
    ['a lone surrogate', 'Nguyễn\ud800', 'Unicode không hợp lệ'],
    ['a number', 42, 'phải là chuỗi ký tự'],
    ['null', null, 'phải là chuỗi ký tự'],
    ['too long', 'A'.repeat(101), 'dài tối đa 100 ký tự'],
  ])('refuses %s, naming the field', (_case, value, message) => {
    const refused = refusal(personName(100), value);
    expect(refused).toContain('applicant.fullName: ');
    expect(refused).toContain(message);
  });

  test.each([
    ['a Vietnamese name', NFC_NAME],
    ['a name with an apostrophe and a hyphen', "Ka'Sô H-Liêng"],
    ['exactly 100 characters', 'A'.repeat(100)],
    ['a zero-width joiner inside a name', 'Nguyễn\u200dVăn'],
  ])('accepts %s', (_case, value) => {
    expect(personName(100).safeParse(value).success).toBe(true);
  });
});

describe('free text', () => {
  test.each([
    ['a line break and a tab', 'dòng 1\n\tdòng 2', true],
    ['NUL', 'a\u0000b', false],
    ['a C1 control', 'a\u0090b', false],
    ['bidi controls (allowed outside names)', 'a\u202eb', true],
    ['empty (freeText may be)', '', true],
  ])('freeText with %s: accepted = %s', (_case, value, accepted) => {
    expect(freeText(50).safeParse(value).success).toBe(accepted);
  });

  test.each([10, 300, 2000])('the limit %i: that many characters pass, one more is refused naming the limit', (max) => {
    expect(nfcText(max).safeParse('é'.repeat(max)).success).toBe(true);
    expect(refusal(nfcText(max), 'é'.repeat(max + 1))).toContain(`dài tối đa ${max} ký tự`);
  });

  test('the limit counts composed characters: a decomposed value at the limit passes', () => {
    expect(nfcText(5).safeParse('e\u0301'.repeat(5)).success).toBe(true);
  });
});

describe('shown (what an error message repeats of a value)', () => {
  test.each([
    ['short text as is', 'STP.KHA-261123-0001', 'STP.KHA-261123-0001'],
    [`exactly ${SHOWN_MAX} characters as is`, 'x'.repeat(SHOWN_MAX), 'x'.repeat(SHOWN_MAX)],
    ['a longer value cut with …', 'y'.repeat(10_000), `${'y'.repeat(SHOWN_MAX)}…`],
    ['controls and bidi replaced', 'a\u0000b\u202ec', 'a\uFFFDb\uFFFDc'],
    ['a surrogate pair never split', `${'z'.repeat(SHOWN_MAX - 1)}😀😀`, `${'z'.repeat(SHOWN_MAX - 1)}…`],
    ['a lone surrogate replaced', 'a\udc00', 'a\uFFFD'],
    ['a non-string as JSON', { a: 1 }, '{"a":1}'],
  ])('%s', (_case, value, expected) => {
    expect(shown(value)).toBe(expected);
  });

  test('describeIssues cuts unknown keys and long path segments and lists at most 8 issues', () => {
    const long = 'k'.repeat(5_000);
    const strict = z.strictObject({ a: z.string() });
    const message = describeIssues(strict.safeParse({ a: 'x', [long]: 1, b: 2, c: 3, d: 4 }).error!);
    expect(message).toBe(`(body): không nhận trường "${'k'.repeat(SHOWN_MAX)}…", "b", "c" và 1 trường khác`);
    const many = z.array(z.number()).safeParse(Array.from({ length: 20 }, () => 'x')).error!;
    expect(describeIssues(many)).toMatch(/^0: .*; 7: [^;]*; và 12 lỗi khác$/);
  });

  test('zod\'s own messages are in Vietnamese (its vi locale), after the field they name', () => {
    const schema = z.object({ paperCopies: z.number().int(), channel: z.enum(['vneid', 'paper']) });
    const message = describeIssues(schema.safeParse({ paperCopies: 'two', channel: 'fax' }).error!);
    expect(message).toBe('paperCopies: Đầu vào không hợp lệ: mong đợi số, nhận được string; channel: Tùy chọn không hợp lệ: mong đợi một trong các giá trị "vneid"|"paper"');
  });
});
