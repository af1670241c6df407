/**
 * Alert e-mails and the apology letter render Vietnamese correctly: diacritics intact in HTML
 * (UTF-8, not mangled or double-escaped) and in plain text, and in the PDF the embedded font's
 * ToUnicode map carries every Vietnamese letter used, so the PDF's text reads back as written.
 */
import { inflateSync } from 'node:zlib';
import { renderApologyHtml, renderApologyPdf, type ApologyLetterFields } from '../../../server/apology/letter';
import { describeRemaining, formatVnInstant, formatWorkingSpan } from '../../../server/monitor/format';
import { renderMail } from '../../../server/monitor/templates';

const VIETNAMESE = 'Nguyễn Thị Hường — Phường Lộc Thọ, Nha Trang; chờ kết quả xác minh của Công an tỉnh Khánh Hòa';

const fields: ApologyLetterFields = {
  title: 'PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ',
  formNote: 'Mẫu số 04 — Thông tư số 01/2018/TT-VPCP hướng dẫn Nghị định số 61/2018/NĐ-CP',
  agencyName: 'Sở Tư pháp tỉnh Khánh Hòa',
  place: 'Khánh Hòa',
  letterNumber: '12/XL-STP',
  issuedDateText: 'ngày 24 tháng 11 năm 2026',
  citizenName: 'Nguyễn Thị Hường',
  dossierCode: 'STP.KHA-261110-0042',
  receivedDate: '10/11/2026',
  channel: 'ứng dụng VNeID',
  oldReturnDate: '24/11/2026',
  reason: 'Chờ kết quả xác minh của Công an tỉnh Khánh Hòa (Phòng PV06) đối với nơi cư trú trước đây ở Đắk Lắk',
  newReturnDate: '27/11/2026',
  signerTitle: 'KT. GIÁM ĐỐC — PHÓ GIÁM ĐỐC',
  signerName: 'Trần Văn Đức',
};

/** Code points (hex, upper case) the PDF's ToUnicode maps declare. */
function toUnicodeCodePoints(pdf: Buffer): Set<string> {
  const points = new Set<string>();
  const raw = pdf.toString('latin1');
  const streams = /stream\r?\n([\s\S]*?)\r?\nendstream/g;
  for (let m = streams.exec(raw); m; m = streams.exec(raw)) {
    let text: string;
    try {
      text = inflateSync(Buffer.from(m[1] ?? '', 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    if (!text.includes('begincmap')) continue;
    for (const hex of text.matchAll(/<([0-9a-fA-F]{4})>/g)) points.add((hex[1] ?? '').toUpperCase());
  }
  return points;
}

test('the alert e-mail keeps Vietnamese diacritics in HTML and text, escapes markup, and is phone-sized', () => {
  const mail = renderMail('alert', {
    title: `Quá hạn: hồ sơ STP.KHA-261124-0001 — Bước 3: Tiếp nhận, kiểm tra hồ sơ`,
    lead: 'Bước xử lý sau đã quá thời hạn được giao.',
    agencyName: 'Sở Tư pháp tỉnh Khánh Hòa',
    dossierCode: 'STP.KHA-261124-0001',
    stepName: 'Bước 3: Tiếp nhận, kiểm tra hồ sơ <script>',
    unitName: 'Bộ phận Tiếp nhận và Trả kết quả',
    dueAt: '16:30 ngày 24/11/2026',
    lateness: 'đã trễ 1 ngày làm việc 2 giờ (thời gian làm việc)',
    link: 'https://lltp.example.vn/ho-so/STP.KHA-261124-0001',
  });
  expect(mail.subject).toBe('Quá hạn: hồ sơ STP.KHA-261124-0001 — Bước 3: Tiếp nhận, kiểm tra hồ sơ');
  expect(mail.html).toContain('<meta charset="utf-8">');
  expect(mail.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(mail.html).toContain('Bộ phận Tiếp nhận và Trả kết quả');
  expect(mail.html).toContain('đã trễ 1 ngày làm việc 2 giờ');
  expect(mail.html).toContain('&lt;script&gt;');
  expect(mail.html).not.toMatch(/&#x[0-9A-F]+;/i);
  expect(mail.text).toContain('Đơn vị:     Bộ phận Tiếp nhận và Trả kết quả');
  expect(mail.text).toContain('Bước:       Bước 3: Tiếp nhận, kiểm tra hồ sơ <script>');
  expect(mail.text).toContain('Mở hồ sơ: https://lltp.example.vn/ho-so/STP.KHA-261124-0001');
  expect(mail.text).not.toContain('&');
});

test('the apology letter in HTML carries every field with its diacritics; its title is the model version\'s, and it says the dossier will be late', () => {
  const html = renderApologyHtml(fields);
  for (const value of Object.values(fields)) expect(html).toContain(value);
  expect(html).toContain('<h1>PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ</h1>');
  expect(html).toContain('<title>Phiếu xin lỗi và hẹn lại ngày trả kết quả — hồ sơ STP.KHA-261110-0042</title>');
  expect(html).toContain('sẽ không trả được kết quả giải quyết hồ sơ của Ông/Bà đúng ngày hẹn nêu trên');
  expect(html).not.toContain('chưa trả');
  // a later regime's version names its own form
  expect(renderApologyHtml({ ...fields, title: 'VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN' })).toContain('<h1>VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN</h1>');
  expect(renderApologyHtml({ ...fields, reason: '<b>đậm</b>' })).toContain('&lt;b&gt;đậm&lt;/b&gt;');
});

test('the apology letter in PDF embeds a font that maps every Vietnamese letter used back to Unicode', async () => {
  const letter = { ...fields, reason: `${fields.reason}; ${VIETNAMESE}` };
  const pdf = await renderApologyPdf(letter, new Date('2026-11-24T02:00:00Z'));
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const mapped = toUnicodeCodePoints(pdf);
  const used = new Set([...(Object.values(letter).join(' ') + 'Kính gửi Ông/Bà sẽ không trả được kết quả đúng ngày hẹn nêu trên')].filter((ch) => ch.codePointAt(0)! > 0x7f && ch !== '—'));
  const missing = [...used].filter((ch) => !mapped.has(ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')));
  expect(used.size).toBeGreaterThan(20);
  expect(missing).toEqual([]);
});

test('working time and instants are written the Vietnamese way', () => {
  expect(formatVnInstant(new Date('2026-11-24T09:30:00Z'))).toBe('16:30 ngày 24/11/2026');
  expect(formatWorkingSpan(480 + 135, 480)).toBe('1 ngày làm việc 2 giờ 15 phút');
  expect(describeRemaining(-10, 480)).toBe('đã trễ 10 phút (thời gian làm việc)');
  expect(describeRemaining(90, 480)).toBe('còn 1 giờ 30 phút (thời gian làm việc)');
  expect(describeRemaining(0, 480)).toBe('đến hạn');
});
