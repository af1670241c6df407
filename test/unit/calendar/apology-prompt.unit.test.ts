/**
 * When the leader is asked for the apology (issue 23, item 1): `apologyByAt` minus the prompt lead
 * (`lltp:deadline.apologyPrompt`, 4 working hours in the shipped model), in working time on the
 * unit's calendar — so the letter, allotted 4 hours, can go out by `apologyByAt` whenever that
 * falls: at 17:00, at 11:30, across lunch, across a weekend, across a public holiday.
 */
import { restartClock } from '../../../server/calendar/clock';
import { apologyPromptOf, dossierDeadlines } from '../../../server/calendar/deadlines';
import { calendars, show, vn } from './support';

const office = calendars().forUnit();
const FOUR_HOURS = 240;
const prompt = (apologyByAt: string): string => show(apologyPromptOf(office, vn(apologyByAt), FOUR_HOURS).dueAt);

test.each([
  ['due at 17:00: asked at 13:00 the same day', '2025-03-14T17:00', '2025-03-14T13:00'],
  ['due at 11:30: asked at 07:30 the same day (the whole morning)', '2025-03-14T11:30', '2025-03-14T07:30'],
  ['due at 14:30: the lead crosses lunch (13:00–14:30, then 09:00–11:30)', '2025-03-14T14:30', '2025-03-14T09:00'],
  ['due at 09:00 on a Monday: asked on Friday afternoon', '2025-03-17T09:00', '2025-03-14T14:30'],
  ['due the morning after Hùng Kings day 2025 (Mon 7 Apr): asked on Friday 4 April', '2025-04-08T09:00', '2025-04-04T14:30'],
])('%s', (_case, apologyByAt, expected) => {
  expect(prompt(apologyByAt)).toBe(expected);
});

test('a dossier’s deadlines carry the prompt: the apology-by instant minus the prompt lead', () => {
  const clock = restartClock(office, vn('2025-03-03T09:12'), 'online');
  const deadlines = dossierDeadlines(office, clock, { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480, apologyPromptMinutes: FOUR_HOURS });
  expect(show(deadlines.apologyByAt!)).toBe('2025-03-14T09:12');
  expect(show(deadlines.apologyPromptAt!)).toBe('2025-03-13T14:42');
  // without a prompt lead (dossiers received before it existed) the leader is asked at apologyByAt
  expect(dossierDeadlines(office, clock, { statutoryWorkingDays: 10, targetWorkingDays: 3, apologyLeadMinutes: 480 }).apologyPromptAt).toEqual(deadlines.apologyByAt);
});

test('a prompt lead that is not a whole non-negative number of minutes is refused, naming it', () => {
  expect(() => apologyPromptOf(office, vn('2025-03-14T17:00'), -1)).toThrow(/apologyPromptMinutes/);
});
