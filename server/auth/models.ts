/**
 * Staff accounts (`users`), integration partners (`partners`) and login sessions (`sessions`).
 * Secrets are never stored in clear: passwords as scrypt hashes, partner keys and session
 * tokens as SHA-256 digests (both are 256-bit random values, so a fast digest is enough).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db';
import type { Role } from './roles';
import type { PartnerCache } from './partner-cache';
import type { SessionCache } from './session-cache';

export interface User {
  username: string;
  displayName: string;
  email: string;
  roles: Role[];
  unitId: string;
  passwordHash: string;
  active: boolean;
  createdAt: Date;
}

/** What the authentication middleware and the auth routes need. */
export interface AuthDeps {
  db: Db;
  now: () => Date;
  /** Sessions seen in the last few seconds (server/auth/session-cache.ts); none: every call reads the database. */
  sessions?: SessionCache;
  /** Active partners read in the last few seconds (server/auth/partner-cache.ts); none: every partner call reads the database. */
  partners?: PartnerCache;
}

/** An active user by name, or null. */
export async function findActiveUser(db: Db, username: string): Promise<User | null> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).where('active', '=', true).executeTakeFirst();
  return row ? { ...row, roles: row.roles as Role[] } : null;
}

export const digest = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** A new random secret (256 bits), URL-safe. */
export const newSecret = (): string => randomBytes(32).toString('base64url');
