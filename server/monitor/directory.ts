/**
 * Who gets an alert: the active users holding the role in the step's (or dossier's) unit; when
 * nobody holds it there, the holders of the role anywhere in the agency (leaders and
 * supervisors sit in the directorate, not in the unit whose step is late).
 */
import type { Db } from '../db';
import type { User } from '../auth/models';
import type { Recipient } from './model';

export class Directory {
  private readonly byRole = new Map<string, (Recipient & { unitId: string })[]>();

  constructor(users: readonly (Pick<User, 'username' | 'email' | 'displayName' | 'unitId'> & { roles: readonly string[] })[]) {
    for (const user of users) {
      for (const role of user.roles) {
        const list = this.byRole.get(role) ?? [];
        list.push({ username: user.username, email: user.email, displayName: user.displayName, unitId: user.unitId });
        this.byRole.set(role, list);
      }
    }
  }

  static async load(db: Db): Promise<Directory> {
    return new Directory(await db.selectFrom('users').select(['username', 'email', 'displayName', 'roles', 'unitId']).where('active', '=', true).orderBy('username').execute());
  }

  recipients(role: string, unitId: string | null): Recipient[] {
    const holders = this.byRole.get(role) ?? [];
    const inUnit = holders.filter((h) => h.unitId === unitId);
    return (inUnit.length ? inUnit : holders).map(({ username, email, displayName }) => ({ username, email, displayName }));
  }

  /** Every active holder of the role. */
  holders(role: string): Recipient[] {
    return (this.byRole.get(role) ?? []).map(({ username, email, displayName }) => ({ username, email, displayName }));
  }
}
