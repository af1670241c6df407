/** Who hears of a condition and who is mailed at once (server/monitor/directory.ts), with a small directory. */
import { Directory, defaultDueSoonDelivery } from '../../../server/monitor/directory';

const user = (username: string, roles: string[], unitId: string, dueSoonDelivery: 'immediate' | 'digest' | null = null) => ({ username, email: `${username}@x.vn`, displayName: username, roles, unitId, dueSoonDelivery });
const directory = new Directory([
  user('motcua', ['oneStopOfficer'], 'mot-cua'),
  user('motcua2', ['oneStopOfficer'], 'mot-cua'),
  user('truongmotcua', ['headOfDivision'], 'mot-cua'),
  user('truongphong', ['headOfDivision'], 'hctp'),
  user('chuyenvien', ['lltpOfficer'], 'hctp', 'digest'),
  user('lanhdao', ['leader'], 'lanh-dao'),
  user('giamsat', ['supervisor'], 'lanh-dao'),
]);
const names = (list: { username: string }[]): string[] => list.map((r) => r.username);
const step = (kind: 'dueSoon' | 'overdue' | 'escalation', extra: { heldBy?: string | null; role?: string; unitId?: string } = {}) => ({ kind, subject: 'step' as const, role: 'oneStopOfficer', unitId: 'mot-cua', heldBy: null, ...extra });

test.each([
  ['a held step due soon: its holder only', step('dueSoon', { heldBy: 'motcua2' }), ['motcua2']],
  ['an unheld step due soon: the role in the unit', step('dueSoon'), ['motcua', 'motcua2']],
  ['a held step overdue: its holder and the unit head', step('overdue', { heldBy: 'motcua' }), ['motcua', 'truongmotcua']],
  ['an unheld step overdue: the role in the unit and the unit head', step('overdue'), ['motcua', 'motcua2', 'truongmotcua']],
  ['a step of a unit without a head, overdue: nobody else', step('overdue', { role: 'lltpOfficer', unitId: 'hctp-khac', heldBy: 'chuyenvien' }), ['chuyenvien']],
  ['an escalation: its role, in the unit first', step('escalation', { role: 'headOfDivision' }), ['truongmotcua']],
  ['an escalation to a role the unit lacks: anywhere in the agency', step('escalation', { role: 'leader' }), ['lanhdao']],
  ['a holder who left (inactive or unknown): the role in the unit', step('dueSoon', { heldBy: 'nghiviec' }), ['motcua', 'motcua2']],
  ['a dossier due soon: the role it names', { kind: 'dueSoon' as const, subject: 'dossier' as const, role: 'headOfDivision', unitId: 'mot-cua', heldBy: null }, ['truongmotcua']],
])('%s', (_case, condition, expected) => {
  expect(names(directory.recipientsOf(condition))).toEqual(expected);
});

test('due-soon notices go out at once only to those who take them immediately; the others are counted for the digest', () => {
  expect(directory.mailedNow({ kind: 'dueSoon', subject: 'dossier', role: 'headOfDivision', unitId: 'mot-cua', heldBy: null })).toEqual({ now: [], inDigest: 1 });
  expect(names(directory.mailedNow(step('dueSoon')).now)).toEqual(['motcua', 'motcua2']);
  expect(directory.mailedNow(step('dueSoon', { role: 'lltpOfficer', unitId: 'hctp', heldBy: 'chuyenvien' }))).toEqual({ now: [], inDigest: 1 });
  // overdue and escalations are never held for the digest
  expect(names(directory.mailedNow({ kind: 'overdue', subject: 'dossier', role: 'headOfDivision', unitId: 'mot-cua', heldBy: null }).now)).toEqual(['truongmotcua']);
});

test('by default heads of division and supervisors take due-soon notices in the digest, everyone else at once', () => {
  expect(defaultDueSoonDelivery(['headOfDivision'])).toBe('digest');
  expect(defaultDueSoonDelivery(['supervisor', 'inspector'])).toBe('digest');
  expect(defaultDueSoonDelivery(['oneStopOfficer'])).toBe('immediate');
  expect(defaultDueSoonDelivery(['leader'])).toBe('immediate');
});
