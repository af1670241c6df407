/** What an alert stores of its mail (template version, its own data, subject) renders back to the same mail. */
import { renderMail, renderStored, versionOf, type TemplateVersion } from '../../../server/monitor/templates';

const data = { title: 'Quá hạn: hồ sơ STP.KHA-261124-0001 — Xử lý', agencyName: 'Sở Tư pháp tỉnh Khánh Hòa', lead: 'Bước xử lý sau đã quá thời hạn được giao.', urgent: true, dossierCode: 'STP.KHA-261124-0001', stepName: 'Xử lý', unitName: 'Phòng', dueAt: '08:00 ngày 24/11/2026', lateness: 'đã trễ 1 giờ', link: 'http://x/ho-so/STP.KHA-261124-0001' };

/** A trip through jsonb: keys reordered. */
const reordered = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).reverse()) as T;

test('the shared values go with the version, the rest with the alert; the subject is not in the data', () => {
  const mail = renderMail('alert', data);
  expect(mail.template.shared).toEqual({ agencyName: data.agencyName, lead: data.lead, urgent: true });
  expect(Object.keys(mail.data).sort()).toEqual(['dossierCode', 'dueAt', 'lateness', 'link', 'stepName', 'unitName']);
  expect(mail.template.version).toMatch(/^alert@[0-9a-f]{16}$/);
  expect(mail.html).toContain(data.lead);
  expect(mail.text).toContain(data.title);
});

test('rendered again from what is stored (keys in any order), the mail is the same, byte for byte', () => {
  const mail = renderMail('alert', data);
  const stored: TemplateVersion = { ...mail.template, shared: reordered(mail.template.shared) };
  expect(renderStored(stored, reordered(mail.data), mail.subject)).toEqual({ subject: mail.subject, html: mail.html, text: mail.text });
});

test('mails of the same kind share one version; another lead or agency is another version', () => {
  const a = renderMail('alert', data).template.version;
  expect(renderMail('alert', { ...data, dossierCode: 'STP.KHA-261124-0002', title: 'khác' }).template.version).toBe(a);
  expect(renderMail('alert', { ...data, lead: 'Khác.' }).template.version).not.toBe(a);
  expect(renderMail('alert', { ...data, agencyName: 'Sở khác' }).template.version).not.toBe(a);
});

test('a version whose sources were altered is refused', () => {
  const { template } = renderMail('alert', data);
  expect(versionOf(template)).toBe(template.version);
  expect(() => renderStored({ ...template, html: `${template.html}<p>thêm</p>` }, {}, 's')).toThrow('its sources do not match its version');
});
