/** Calendar administration through the API: administrators edit (audited, re-planned), others read. */
import { startApiUnderTest, type ApiUnderTest } from '../../support/api';

let t: ApiUnderTest;
beforeAll(async () => {
  t = await startApiUnderTest('calendarapi');
}, 60000);
afterAll(async () => t?.stop());

test('every staff role reads a year\'s days off and make-up Saturdays', async () => {
  const answer = await t.get('/api/calendar/years/2026', await t.login('thanhtra'));
  expect(answer.status).toBe(200);
  const days = answer.body.days as { date: string; kind: string }[];
  expect(days).toEqual(expect.arrayContaining([expect.objectContaining({ date: '2026-04-27', kind: 'dayOff' }), expect.objectContaining({ date: '2026-08-22', kind: 'makeUp' })]));
});

test('an administrator confirms the pending 24 November; the edit is audited under their name', async () => {
  const admin = await t.login('quantri');
  const confirmed = await t.post('/api/calendar/pending-days/2026-11-24/confirm', { reason: 'Bộ luật Lao động sửa đổi có hiệu lực' }, admin);
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.calendarVersion).toBeGreaterThan(1);
  const audit = await t.get('/api/calendar/audit', admin);
  expect(JSON.stringify(audit.body)).toContain('quantri');
  const days = (await t.get('/api/calendar/years/2026', admin)).body.days as { date: string; status: string }[];
  expect(days.find((d) => d.date === '2026-11-24')?.status).toBe('confirmed');
});

test.each([
  ['a leader may not edit', 'lanhdao', '/api/calendar/days-off', { date: '2026-12-31', name: 'x', basis: 'y' }, 403],
  ['a bad date is refused naming it', 'quantri', '/api/calendar/days-off', { date: '2026-02-30', name: 'x', basis: 'y' }, 400],
  ['a missing legal basis is refused', 'quantri', '/api/calendar/days-off', { date: '2026-12-31', name: 'x' }, 400],
])('%s', async (_case, user, path, body, status) => {
  const answer = await t.post(path, body, await t.login(user));
  expect(answer.status).toBe(status);
  expect(typeof answer.body.error).toBe('string');
});
