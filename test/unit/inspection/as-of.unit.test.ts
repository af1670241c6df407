/**
 * The history read as of a cut-off (server/inspection/as-of.ts), case by case: what ended after
 * the cut-off is still going on at it, what started after it does not exist yet, and read as of
 * an instant after everything, nothing changes.
 */
import { dossierAsOf, stepAsOf, stopsAsOf } from '../../../server/inspection/as-of';

const at = (text: string): Date => new Date(`${text}+07:00`);
const CUTOFF = at('2026-11-20T16:00:00');

const closedDossier = {
  status: 'closed' as 'open' | 'closed',
  outcome: 'issued' as string | null,
  finishedAt: at('2026-11-24T10:00:00') as Date | null,
  statutoryDueAt: at('2026-11-16T08:00:00') as Date | null,
  targetDueAt: at('2026-11-05T08:00:00') as Date | null,
  appointmentAt: at('2026-12-01T17:00:00') as Date | null,
  apologyIssuedAt: at('2026-11-23T09:00:00') as Date | null,
  apologyNewReturnDate: '2026-12-01' as string | null,
};

const step = {
  startedAt: at('2026-11-02T09:00:00'),
  finishedAt: at('2026-11-23T09:00:00') as Date | null,
  actor: 'chuyenvien' as string | null,
  lateReason: 'Đi công tác' as string | null,
  lateReasonSource: 'officer' as 'officer' | 'system' | null,
  heldBy: 'chuyenvien' as string | null,
};

describe('a dossier as of the cut-off', () => {
  test('ended and apologised after it: open, no outcome, no apology, the appointment on the statutory due date', () => {
    expect(dossierAsOf(closedDossier, [], CUTOFF)).toEqual({
      ...closedDossier,
      status: 'open',
      outcome: null,
      finishedAt: null,
      apologyIssuedAt: null,
      apologyNewReturnDate: null,
      appointmentAt: closedDossier.statutoryDueAt,
    });
  });

  test('its clock stopped at the cut-off: no due dates, no appointment', () => {
    const stops = stopsAsOf([{ startedAt: at('2026-11-17T09:00:00'), endedAt: at('2026-11-25T09:00:00') }], CUTOFF);
    expect(dossierAsOf(closedDossier, stops, CUTOFF)).toMatchObject({ statutoryDueAt: null, targetDueAt: null, appointmentAt: null });
  });

  test('read after everything happened: unchanged', () => {
    expect(dossierAsOf(closedDossier, [], at('2026-12-21T10:00:00'))).toBe(closedDossier);
  });
});

describe('clock stops as of the cut-off', () => {
  test.each([
    ['ended before it: as recorded', { startedAt: at('2026-11-17T09:00:00'), endedAt: at('2026-11-18T09:00:00') }, [{ startedAt: at('2026-11-17T09:00:00'), endedAt: at('2026-11-18T09:00:00') }]],
    ['ended after it: still running', { startedAt: at('2026-11-17T09:00:00'), endedAt: at('2026-11-25T09:00:00') }, [{ startedAt: at('2026-11-17T09:00:00'), endedAt: null }]],
    ['ended at it: ended (what happens at the instant has happened)', { startedAt: at('2026-11-17T09:00:00'), endedAt: CUTOFF }, [{ startedAt: at('2026-11-17T09:00:00'), endedAt: CUTOFF }]],
    ['started after it: not there', { startedAt: at('2026-11-23T09:00:00'), endedAt: null }, []],
  ])('%s', (_case, stop, expected) => {
    expect(stopsAsOf([stop], CUTOFF)).toEqual(expected);
  });
});

describe('a step as of the cut-off', () => {
  test('ended after it: running, no completer, no late reason; the holder blank at a past cut-off, kept when read as of now', () => {
    const running = { ...step, finishedAt: null, actor: null, lateReason: null, lateReasonSource: null };
    expect(stepAsOf(step, CUTOFF, true)).toEqual({ ...running, heldBy: null });
    expect(stepAsOf({ ...step, finishedAt: null, actor: null, lateReason: null, lateReasonSource: null }, CUTOFF, false)).toEqual(running);
  });

  test('ended before it: as recorded', () => {
    const done = { ...step, finishedAt: at('2026-11-19T09:00:00') };
    expect(stepAsOf(done, CUTOFF, true)).toBe(done);
  });
});
