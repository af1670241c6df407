/**
 * verifyExport on what is not an export, and with the audit log's lookup: a file whose rows were
 * exported is recognised, one whose rows were never exported is not, even with a digest that fits.
 */
import {
  verifyExport,
  writeExport,
  type RecordedExport,
  type WrittenExport,
} from '../../../../server/inspection/export';
import { inspectionDocument } from './documents';

const UNKNOWN = 'Không nhận ra định dạng tệp (cần CSV, XLSX hoặc PDF do hệ thống xuất).';

test.each([
  ['an empty file', Buffer.alloc(0)],
  ['plain text', Buffer.from('Mã hồ sơ;Người yêu cầu\nSTP.KHA-261123-0001;Nguyễn Văn A\n', 'utf8')],
  ['random bytes', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x42, 0x99, 0x10, 0x01])],
])('%s: format unknown, not unchanged', async (_, bytes) => {
  const result = await verifyExport(bytes);
  expect(result).toMatchObject({ format: 'unknown', unchanged: false, message: UNKNOWN, findings: [UNKNOWN] });
});

test.each([
  ['a CSV by its name only', Buffer.from('a,b\r\n1,2\r\n'), 'bang.csv', 'csv', 'Tệp CSV đã bị thay đổi: không tìm'],
  ['a ZIP that is no workbook', Buffer.from('PK\x03\x04 no', 'latin1'), undefined, 'xlsx', 'Không đọc được tệp XLSX'],
  ['a broken PDF', Buffer.from('%PDF-1.7\n%%EOF\n', 'latin1'), undefined, 'pdf', 'Không đọc được tệp PDF'],
])('%s: read as its format, not unchanged', async (_, bytes, fileName, format, message) => {
  const result = await verifyExport(bytes, fileName ? { fileName } : {});
  expect(result).toMatchObject({ format, unchanged: false });
  expect(result.message.startsWith(message)).toBe(true);
});

describe('with the audit log lookup', () => {
  let written: WrittenExport;
  const auditLog = (exports: RecordedExport[]) =>
    jest.fn(async (rowsSha256: string) => Promise.resolve(exports.find((e) => e.rowsSha256 === rowsSha256) ?? null));

  beforeAll(async () => {
    written = await writeExport('csv', inspectionDocument(20));
  });

  test('found, same bytes: unchanged, the very file exported', async () => {
    const lookup = auditLog([{ rowsSha256: written.rowsSha256, fileSha256: written.fileSha256 }]);
    const result = await verifyExport(written.bytes, { lookup });
    expect(lookup).toHaveBeenCalledWith(written.rowsSha256, written.fileSha256);
    expect(result).toMatchObject({ unchanged: true, recorded: { rowsSha256: written.rowsSha256 } });
    expect(result.message).toBe(
      `Tệp CSV nguyên vẹn: đúng tệp đã xuất (20 dòng, SHA-256 các dòng ${written.rowsSha256}).`,
    );
  });

  test('not found, though the file agrees with itself: not unchanged, the log has no such export', async () => {
    const lookup = auditLog([]);
    const result = await verifyExport(written.bytes, { lookup });
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(result).toMatchObject({ unchanged: false, recorded: null });
    expect(result.message).toBe(
      `Tệp CSV đã bị thay đổi: không có lượt xuất nào với SHA-256 các dòng ${written.rowsSha256.slice(0, 12)}… ` +
        'trong nhật ký.',
    );
  });
});
