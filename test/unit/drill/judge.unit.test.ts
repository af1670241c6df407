/** tools/drill/judge.ts: the restore drill's verdict on a restored read model and broker. */
import { judge, type BoundDossier } from '../../../tools/drill/judge';

const dossier = (code: string, key: string | null, status = 'open'): BoundDossier => ({ code, receipt: `R-${code}`, status, key });

test.each([
  { case: 'every open dossier with its living instance', dossiers: [dossier('A', '1'), dossier('B', '2')], living: ['1', '2'], answered: ['R-A', 'R-B'], lost: 0, orphans: 0 },
  { case: 'a closed dossier whose instance has ended', dossiers: [dossier('A', '1', 'closed')], living: [], answered: ['R-A'], lost: 0, orphans: 0 },
  { case: 'a closed dossier whose instance still finishes', dossiers: [dossier('A', '1', 'closed')], living: ['1'], answered: ['R-A'], lost: 0, orphans: 0 },
  { case: 'an open dossier bound to an instance the broker lacks', dossiers: [dossier('A', '1')], living: [], answered: ['R-A'], lost: 1, orphans: 0 },
  { case: 'an open dossier never bound', dossiers: [dossier('A', null)], living: [], answered: ['R-A'], lost: 1, orphans: 0 },
  { case: 'one instance bound to two dossiers', dossiers: [dossier('A', '1'), dossier('B', '1')], living: ['1'], answered: ['R-A', 'R-B'], lost: 2, orphans: 0 },
  { case: 'an answered request without a dossier', dossiers: [], living: [], answered: ['R-A'], lost: 1, orphans: 0 },
  { case: 'an instance whose dossier the read model lacks', dossiers: [], living: ['1'], answered: [], lost: 0, orphans: 1 },
  { case: 'a duplicate start beside the bound instance', dossiers: [dossier('A', '1')], living: ['1', '2'], answered: ['R-A'], lost: 0, orphans: 1 },
])('$case: $lost lost, $orphans orphans', ({ dossiers, living, answered, lost, orphans }) => {
  const verdict = judge(dossiers, new Set(living), answered);
  expect(verdict.lost).toHaveLength(lost);
  expect(verdict.orphans).toHaveLength(orphans);
});

test('each finding names the dossier, receipt or instance', () => {
  const verdict = judge([dossier('HS-1', '7')], new Set(['8']), ['R-HS-1', 'R-HS-2']);
  expect(verdict).toEqual({
    lost: ['HS-1: open, instance 7 not in the broker', 'receipt R-HS-2: answered, no dossier'],
    orphans: ['instance 8: no dossier bound to it'],
  });
});
