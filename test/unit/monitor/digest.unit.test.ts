/** The daily digest's collector: each person's counts and most urgent items, memory bounded, one mention per item. */
import type { Condition } from '../../../server/monitor/classify';
import { DigestCollector } from '../../../server/monitor/digest';
import { Directory } from '../../../server/monitor/directory';
import { renderMail } from '../../../server/monitor/templates';

const directory = new Directory([
  { username: 'motcua', email: 'motcua@x.vn', displayName: 'Một cửa', unitId: 'stp-mot-cua', roles: ['oneStopOfficer'] },
  { username: 'truongphong', email: 'tp@x.vn', displayName: 'Trưởng phòng', unitId: 'stp-hctp', roles: ['headOfDivision'] },
]);

const base = new Date('2026-11-24T03:00:00Z').getTime();
const condition = (i: number, kind: Condition['kind'], role: string, level = 0): Condition => ({
  key: `step:step:${i}:${kind}${level || ''}`,
  kind,
  subject: 'step',
  level,
  role,
  dossierCode: `STP.KHA-261124-${String(i).padStart(4, '0')}`,
  stepId: `step:${i}`,
  elementId: 'checkDossier',
  stepName: 'Bước 3',
  unitId: 'stp-mot-cua',
  unitName: 'Bộ phận Một cửa',
  dueAt: new Date(base + ((i * 7919) % 1000) * 60_000),
  remainingMinutes: -10,
});

test('counts every item, keeps the most urgent ones, in due order, whatever the number of items', () => {
  const collector = new DigestCollector(directory, 5);
  for (let i = 0; i < 1000; i++) collector.add([condition(i, 'overdue', 'oneStopOfficer')]);
  for (let i = 1000; i < 1003; i++) collector.add([condition(i, 'dueSoon', 'oneStopOfficer')]);
  const [entry, ...others] = [...collector.entries()];
  expect(others).toEqual([]);
  expect(entry?.recipient.username).toBe('motcua');
  expect(entry?.late.count).toBe(1000);
  const top = entry!.late.top();
  expect(top).toHaveLength(5);
  expect(top.map((c) => c.dueAt.getTime())).toEqual([0, 1, 2, 3, 4].map((m) => base + m * 60_000));
  expect(entry?.dueSoon.count).toBe(3);
});

test('a step that is late and escalated is one item for each person told, in their own digest', () => {
  const collector = new DigestCollector(directory);
  collector.add([condition(1, 'overdue', 'oneStopOfficer'), condition(1, 'escalation', 'headOfDivision', 1), condition(1, 'escalation', 'oneStopOfficer', 2)]);
  const byPerson = Object.fromEntries([...collector.entries()].map((e) => [e.recipient.username, e.late.count]));
  expect(byPerson).toEqual({ motcua: 1, truongphong: 1 });
});

test('the digest mail says how many more there are beyond the list, and where to see them', () => {
  const mail = renderMail('digest', {
    title: 'Tổng hợp',
    agencyName: 'Sở Tư pháp',
    recipientName: 'Một cửa',
    asOf: '08:00',
    late: [{ dossierCode: 'STP.KHA-261124-0001', stepName: 'Bước 3', unitName: 'Một cửa', dueAt: '08:00', lateness: 'đã trễ', link: 'http://x/ho-so/1' }],
    lateCount: 51,
    lateMore: 50,
    dueSoon: [],
    dueSoonCount: 0,
    dueSoonMore: 0,
    inboxLink: 'http://x/hop-viec',
  });
  expect(mail.text).toContain('QUÁ HẠN (51)');
  expect(mail.text).toContain('… và 50 việc quá hạn khác: xem hộp việc http://x/hop-viec');
  expect(mail.html).toContain('Quá hạn (51)');
  expect(mail.text).not.toContain('SẮP ĐẾN HẠN');
});
