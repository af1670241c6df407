/** The apology letter's rules: once per dossier, a later working day, not in the past. */
import { ApologyRuleError, checkApology } from '../../../server/apology/rules';
import { seedCalendarData } from '../../../server/calendar/seed';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';

const calendar = new WorkingCalendars(seedCalendarData()).forUnit('stp-mot-cua');
const dossier = { code: 'STP.KHA-261110-0001', apology: null, appointmentAt: null, statutoryDueAt: new Date('2026-11-24T09:30:00Z') };
const now = new Date('2026-11-23T03:00:00Z');

function refusal(fn: () => unknown): ApologyRuleError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApologyRuleError) return error;
    throw error;
  }
  throw new Error('no refusal');
}

test('a later working day is accepted, due at the end of its office hours', () => {
  const { returnDueAt } = checkApology(dossier, { newReturnDate: '2026-11-27' }, calendar, now);
  expect(returnDueAt.toISOString()).toBe('2026-11-27T10:00:00.000Z') // 17:00 in Việt Nam;
});

test('only once per dossier (409), naming the date already given', () => {
  const error = refusal(() => checkApology({ ...dossier, apology: { newReturnDate: '2026-11-27' } }, { newReturnDate: '2026-11-30' }, calendar, now));
  expect(error.status).toBe(409);
  expect(error.message).toContain('chỉ được hẹn lại một lần');
  // the same date again only confirms the letter already issued
  expect(checkApology({ ...dossier, apology: { newReturnDate: '2026-11-27' } }, { newReturnDate: '2026-11-27' }, calendar, now).returnDueAt.toISOString()).toBe('2026-11-27T10:00:00.000Z');
});

test('a day off, a date not after the appointment, or a past date is refused (400, naming newReturnDate)', () => {
  expect(refusal(() => checkApology(dossier, { newReturnDate: '2026-11-29' }, calendar, now)).message).toMatch(/^newReturnDate: .*không phải ngày làm việc/);
  expect(refusal(() => checkApology(dossier, { newReturnDate: '2026-11-24' }, calendar, now)).message).toMatch(/^newReturnDate: .*phải sau ngày hẹn hiện tại 2026-11-24/);
  expect(refusal(() => checkApology({ ...dossier, statutoryDueAt: new Date('2026-11-10T09:30:00Z') }, { newReturnDate: '2026-11-20' }, calendar, now)).message).toMatch(/^newReturnDate: .*đã qua/);
  expect(refusal(() => checkApology({ ...dossier, appointmentAt: new Date('2026-11-27T09:30:00Z') }, { newReturnDate: '2026-11-26' }, calendar, now)).status).toBe(400);
});
