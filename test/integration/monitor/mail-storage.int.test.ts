/**
 * Alert mails are stored as their template version (once, in `mail_templates`) and the small
 * data they are rendered from, not as rendered HTML and text per alert (issue 28, item 3): the
 * bytes each alert takes fall, and the mail rendered from the stored version and data when it
 * is sent is the mail rendered when the alert was raised, byte for byte.
 *
 * Prints the figures: bytes per alert row and bytes of its mail columns, before (rendered text
 * and HTML, as alerts were stored up to migration 0012) and after.
 *
 * @fixed-instants the alerts are raised at a fixed instant; nothing depends on the wall clock.
 */
import { sql } from 'kysely';
import { loadConfig } from '../../../server/config';
import type { Db } from '../../../server/db';
import type { Condition } from '../../../server/monitor/classify';
import { mailOf } from '../../../server/monitor/deliver';
import { monitorSettings } from '../../../server/monitor';
import { alertMail, alertOf, insertAlerts } from '../../../server/monitor/tick';
import type { TemplateVersion } from '../../../server/monitor/templates';
import { loadProcessCatalog } from '../../../server/sla';
import { createTestDatabase, type TestDatabase } from '../../support/database';

const ALERTS = 400;
const NOW = new Date('2026-11-24T03:00:00Z');
const KINDS = ['dueSoon', 'overdue', 'escalation', 'apologyDue'] as const;

let testDb: TestDatabase;
let db: Db;

beforeAll(async () => {
  testDb = await createTestDatabase('mail_storage');
  db = testDb.database.db;
}, 60000);

afterAll(async () => testDb?.drop());

function condition(i: number): Condition {
  const kind = KINDS[i % KINDS.length]!;
  const code = `STP.KHA-2611${String(10 + (i % 20)).padStart(2, '0')}-${String(i).padStart(4, '0')}`;
  const step = kind !== 'apologyDue';
  return {
    key: `${step ? `step:step-${i}` : `dossier:${code}`}:${kind}`,
    kind,
    subject: step ? 'step' : 'dossier',
    level: kind === 'escalation' ? 1 : 0,
    role: 'lltpOfficer',
    dossierCode: code,
    stepId: step ? `step-${i}` : null,
    elementId: step ? 'buoc-4' : null,
    stepName: step ? 'Tra cứu, xác minh thông tin lý lịch tư pháp' : null,
    unitId: 'stp-hcqp',
    unitName: 'Phòng Hành chính tư pháp',
    dueAt: new Date(NOW.getTime() + ((i % 7) - 3) * 3600_000),
    remainingMinutes: ((i % 7) - 3) * 60,
  };
}

const bytes = async (where: 'new' | 'legacy'): Promise<{ row: number; mail: number }> => {
  const r = await sql<{ row: string; mail: string }>`
    SELECT avg(pg_column_size(a.*)) AS row,
           avg(coalesce(pg_column_size(mail_text), 0) + coalesce(pg_column_size(mail_html), 0) + coalesce(pg_column_size(mail_data), 0) + coalesce(pg_column_size(mail_template), 0)) AS mail
    FROM alerts a WHERE (id LIKE 'legacy:%') = ${where === 'legacy'}`.execute(db);
  return { row: Math.round(Number(r.rows[0]?.row)), mail: Math.round(Number(r.rows[0]?.mail)) };
};

test('an alert stores its template version and data, ~an order of magnitude fewer bytes than its rendered mail, and renders back to the same mail', async () => {
  const settings = monitorSettings(loadConfig({ ...process.env, DATABASE_URL: testDb.url }), await loadProcessCatalog());
  const recipients = [{ username: 'chuyenvien', email: 'chuyenvien@stp.example.vn', displayName: 'Chuyên viên LLTP' }];
  const conditions = Array.from({ length: ALERTS }, (_, i) => condition(i));
  const alerts = conditions.map((c) => alertOf(settings, c, recipients, NOW, 'run-1'));
  expect(await insertAlerts(db, alerts, NOW)).toBe(ALERTS);
  // the same alerts as stored before: rendered text and HTML in each row
  expect(await insertAlerts(db, alerts.map((a) => ({ ...a, id: `legacy:${a.id}` })), NOW)).toBe(ALERTS);
  await sql`UPDATE alerts SET mail_text = v.text, mail_html = v.html, mail_template = NULL, mail_data = NULL
    FROM unnest(${alerts.map((a) => `legacy:${a.id}`)}::text[], ${alerts.map((a) => a.mail.text)}::text[], ${alerts.map((a) => a.mail.html)}::text[]) AS v (id, text, html)
    WHERE alerts.id = v.id`.execute(db);

  // one template version per kind stored (its lead is shared), whatever the number of alerts
  expect(await db.selectFrom('mailTemplates').select('version').execute()).toHaveLength(KINDS.length);
  const before = await bytes('legacy');
  const after = await bytes('new');
  process.stdout.write(`alert storage, ${ALERTS} alerts: bytes per alert row ${before.row} before, ${after.row} after; mail columns ${before.mail} before, ${after.mail} after\n`);
  expect(after.row * 2).toBeLessThan(before.row);
  expect(after.mail * 4).toBeLessThan(before.mail);

  // what the outbox sends: rendered from the stored version and data, the same bytes as at raising, for both kinds of rows
  const templates = new Map<string, TemplateVersion>((await db.selectFrom('mailTemplates').select(['version', 'name', 'layout', 'html', 'text', 'shared']).execute()).map((t) => [t.version, t]));
  const stored = await db.selectFrom('alerts').selectAll().execute();
  const byId = new Map(stored.map((a) => [a.id, a]));
  for (const [i, c] of conditions.entries()) {
    const expected = alertMail(settings, c);
    for (const id of [c.key, `legacy:${c.key}`]) {
      const mail = mailOf(byId.get(id)!, templates);
      expect(mail).toEqual({ subject: expected.subject, text: expected.text, html: expected.html });
    }
    if (i === 0) expect(byId.get(c.key)).toMatchObject({ mailText: null, mailHtml: null, mailTemplate: expected.template.version });
  }
}, 60000);

test('a mail whose template version is not stored is not sent (the outbox records the error), and one cleared by retention neither', () => {
  const row = { mailSubject: 's', mailText: null, mailHtml: null, mailTemplate: 'alert@0000000000000000', mailData: { title: 's', agencyName: 'x' } };
  expect(() => mailOf(row, new Map())).toThrow('mail template alert@0000000000000000 is not stored');
  expect(() => mailOf({ ...row, mailTemplate: null, mailData: null }, new Map())).toThrow('alert has no mail');
});
