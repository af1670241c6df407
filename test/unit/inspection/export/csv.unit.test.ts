/**
 * CSV: what Excel and plain tools need (byte order mark, CRLF, Vietnamese headers, no formula
 * runs on opening), every cell read back to its canonical form, and an edited cell caught with the
 * place it was made.
 */
import { parse } from 'csv-parse/sync';
import { verifyExport, writeExport, type WrittenExport } from '../../../../server/inspection/export';
import { restoreFormula } from '../../../../server/inspection/export/csv';
import { parseDisplayedCell } from '../../../../server/inspection/export/display';
import { canonicalRowsOf, dossierColumns, inspectionDocument, rowsSha256Of, TRICKY_TEXTS } from './documents';

const DOSSIERS = 300;
const doc = inspectionDocument(DOSSIERS);
let written: WrittenExport;
let text: string;
let records: string[][];

beforeAll(async () => {
  written = await writeExport('csv', doc);
  text = written.bytes.toString('utf8');
  records = parse(written.bytes, { bom: true, relax_column_count: true });
});

test('opens with a byte order mark and ends every line with CRLF', () => {
  expect([...written.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const outsideQuotes = text.replace(/"(?:[^"]|"")*"/g, '""');
  expect(outsideQuotes).not.toMatch(/[^\r]\n/);
  expect(outsideQuotes.split('\r\n')).toHaveLength(1 + DOSSIERS + 1 + 10 + 1);
});

test('heads the columns in Vietnamese and ends with the footer, the rows digest last', async () => {
  expect(text.slice(1, text.indexOf('\r\n'))).toBe(
    'Mã hồ sơ,Người yêu cầu,Số bản,Tiếp nhận lúc,Ngày hẹn trả,' +
      'Trễ (giờ hành chính),Tỷ lệ thời gian đã dùng,Nộp trực tuyến',
  );
  expect(records.slice(-3)).toEqual([
    ['Kiểu các cột', 'văn bản; văn bản; số nguyên; thời điểm; ngày; thời gian làm việc; tỷ lệ; có/không'],
    ['Số dòng', String(DOSSIERS)],
    ['SHA-256 các dòng', await rowsSha256Of(doc.sheets.slice(0, 1))],
  ]);
});

test.each([
  ['=HYPERLINK("http://x.vn","bấm")', `'=HYPERLINK("http://x.vn","bấm")`],
  ['+84 912 345 678', "'+84 912 345 678"],
  ['-bị hủy', "'-bị hủy"],
  ['@thanhtra', "'@thanhtra"],
  ["'đã có dấu nháy", "''đã có dấu nháy"],
  ['-45', '-45'],
  ['Trần, Văn "Tư"', 'Trần, Văn "Tư"'],
])('writes the applicant %j as the field %j (no formula runs, numbers stay numbers)', (applicant, field) => {
  const row = TRICKY_TEXTS.indexOf(applicant as (typeof TRICKY_TEXTS)[number]);
  expect(records[1 + row]?.[1]).toBe(field);
});

test('reads every cell back to its canonical form', async () => {
  const shown = records.slice(1, 1 + DOSSIERS).map((record) =>
    record.map((field, column) => parseDisplayedCell(dossierColumns[column]!.type, restoreFormula(field))),
  );
  expect(shown).toEqual(await canonicalRowsOf(doc.sheets[0]!));
});

test.each([
  {
    edit: 'an applicant renamed',
    from: 'Trần, Văn ""Tư""',
    to: 'Trần, Văn ""Tứ""',
    finding: 'các dòng của bảng "Hồ sơ" không khớp mã SHA-256 ghi ở cuối tệp',
  },
  {
    edit: 'a promised date made impossible',
    from: ',01/12/2026,',
    to: ',32/12/2026,',
    finding: 'bảng "Hồ sơ", dòng 1, cột 5: không đọc được ô kiểu "ngày": "32/12/2026"',
  },
  {
    edit: 'a row removed',
    from: /STP\.KHA-261123-0007,[^\r]*\r\n/,
    to: '',
    finding: `tệp có ${DOSSIERS - 1} dòng dữ liệu, phần cuối tệp ghi ${DOSSIERS}`,
  },
])('$edit: not unchanged, the message names the place', async ({ from, to, finding }) => {
  const edited = text.replace(from, to);
  expect(edited).not.toBe(text);
  const result = await verifyExport(Buffer.from(edited, 'utf8'));
  expect(result.unchanged).toBe(false);
  expect(result.findings[0]).toBe(finding);
  expect(result.message).toMatch(new RegExp(`^Tệp CSV đã bị thay đổi: ${escape(finding)}`));
});

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
