/**
 * Who gets an alert. The directory holds the active users with their roles, unit and how they
 * take due-soon notices; `recipientsOf` says who hears of a condition:
 *
 * - a step **due soon**: the officer holding it (who claimed its task); while nobody holds it,
 *   the holders of its role in its unit (one of them will take it);
 * - a step **overdue**: the same people, and the heads of division of the step's unit;
 * - each **escalation** level: the holders of that level's role (`lltp:sla.escalation`);
 * - a dossier due soon, overdue or escalated: the roles of MONITOR_DOSSIER_ESCALATION; the
 *   apology due: the leaders;
 * - a role is looked for in the unit first, then anywhere in the agency (leaders and supervisors
 *   sit in the directorate, not in the unit whose step is late).
 *
 * Due-soon notices go out at once only to the people who take them immediately; the others find
 * them in their daily digest (`users.due_soon_delivery`; by default digest for heads of division
 * and supervisors, immediate for everyone else).
 */
import type { Db } from '../db';
import type { User } from '../auth/models';
import type { Condition } from './classify';
import type { Recipient } from './model';

export const DUE_SOON_DELIVERIES = ['immediate', 'digest'] as const;
export type DueSoonDelivery = (typeof DUE_SOON_DELIVERIES)[number];

/** Roles that take due-soon notices in the digest unless they chose otherwise. */
const DIGEST_BY_DEFAULT = new Set(['headOfDivision', 'supervisor']);

export function defaultDueSoonDelivery(roles: readonly string[]): DueSoonDelivery {
  return roles.some((r) => DIGEST_BY_DEFAULT.has(r)) ? 'digest' : 'immediate';
}

type Person = Recipient & { unitId: string; roles: readonly string[]; dueSoon: DueSoonDelivery };
type DirectoryUser = Pick<User, 'username' | 'email' | 'displayName' | 'unitId'> & { roles: readonly string[]; dueSoonDelivery?: DueSoonDelivery | null };

const asRecipient = ({ username, email, displayName }: Person): Recipient => ({ username, email, displayName });

export class Directory {
  private readonly byRole = new Map<string, Person[]>();
  private readonly byName = new Map<string, Person>();

  constructor(users: readonly DirectoryUser[]) {
    for (const user of users) {
      const person: Person = { username: user.username, email: user.email, displayName: user.displayName, unitId: user.unitId, roles: user.roles, dueSoon: user.dueSoonDelivery ?? defaultDueSoonDelivery(user.roles) };
      this.byName.set(user.username, person);
      for (const role of user.roles) {
        const list = this.byRole.get(role) ?? [];
        list.push(person);
        this.byRole.set(role, list);
      }
    }
  }

  static async load(db: Db): Promise<Directory> {
    return new Directory(await db.selectFrom('users').select(['username', 'email', 'displayName', 'roles', 'unitId', 'dueSoonDelivery']).where('active', '=', true).orderBy('username').execute());
  }

  /** The active holders of the role in the unit; when there are none, anywhere in the agency. */
  recipients(role: string, unitId: string | null): Recipient[] {
    const holders = this.byRole.get(role) ?? [];
    const inUnit = holders.filter((h) => h.unitId === unitId);
    return (inUnit.length ? inUnit : holders).map(asRecipient);
  }

  /** Every active holder of the role. */
  holders(role: string): Recipient[] {
    return (this.byRole.get(role) ?? []).map(asRecipient);
  }

  /** The heads of division of this unit (none: nobody; a head elsewhere is not this unit's head). */
  unitHeads(unitId: string | null): Recipient[] {
    return (this.byRole.get('headOfDivision') ?? []).filter((h) => h.unitId === unitId).map(asRecipient);
  }

  /** An active user, by name. */
  person(username: string | null | undefined): Recipient | undefined {
    const person = username ? this.byName.get(username) : undefined;
    return person ? asRecipient(person) : undefined;
  }

  /** How this person takes due-soon notices. */
  dueSoonDelivery(username: string): DueSoonDelivery {
    return this.byName.get(username)?.dueSoon ?? 'immediate';
  }

  /** Everyone who hears of the condition (see the module comment). */
  recipientsOf(c: Pick<Condition, 'kind' | 'subject' | 'role' | 'unitId' | 'heldBy'>): Recipient[] {
    if (c.subject !== 'step' || (c.kind !== 'dueSoon' && c.kind !== 'overdue')) return this.recipients(c.role, c.unitId);
    const holder = this.person(c.heldBy);
    const doers = holder ? [holder] : this.recipients(c.role, c.unitId);
    if (c.kind === 'dueSoon') return doers;
    const seen = new Set(doers.map((r) => r.username));
    return [...doers, ...this.unitHeads(c.unitId).filter((h) => !seen.has(h.username))];
  }

  /** Who is mailed now about the condition: for a due-soon notice, those who take them immediately. */
  mailedNow(c: Pick<Condition, 'kind' | 'subject' | 'role' | 'unitId' | 'heldBy'>): { now: Recipient[]; inDigest: number } {
    const all = this.recipientsOf(c);
    if (c.kind !== 'dueSoon') return { now: all, inDigest: 0 };
    const now = all.filter((r) => this.dueSoonDelivery(r.username) === 'immediate');
    return { now, inDigest: all.length - now.length };
  }
}
