/**
 * Staff accounts, integration partners and login sessions in the read-model database.
 * Secrets are never stored in clear: passwords as scrypt hashes, partner keys and session
 * tokens as SHA-256 digests (both are 256-bit random values, so a fast digest is enough).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { ROLES, type Role } from './roles';

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

export interface Partner {
  partnerId: string;
  name: string;
  keyDigest: string;
  /** What the partner may call: `intake` (one-stop system), `callback:<system>` (external systems). */
  scopes: string[];
  active: boolean;
}

export interface Session {
  tokenDigest: string;
  username: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface AuthModels {
  users: Model<User>;
  partners: Model<Partner>;
  sessions: Model<Session>;
}

export function authModels(db: Connection): AuthModels {
  const users =
    (db.models.User as Model<User> | undefined) ??
    db.model<User>(
      'User',
      new Schema<User>({
        username: { type: String, required: true, unique: true, match: /^[a-z0-9._-]{3,40}$/ },
        displayName: { type: String, required: true },
        email: { type: String, required: true },
        roles: { type: [String], enum: ROLES, required: true },
        unitId: { type: String, required: true, index: true },
        passwordHash: { type: String, required: true },
        active: { type: Boolean, default: true },
        createdAt: { type: Date, required: true },
      }),
    );
  const partners =
    (db.models.Partner as Model<Partner> | undefined) ??
    db.model<Partner>(
      'Partner',
      new Schema<Partner>({
        partnerId: { type: String, required: true, unique: true },
        name: { type: String, required: true },
        keyDigest: { type: String, required: true },
        scopes: { type: [String], required: true },
        active: { type: Boolean, default: true },
      }),
    );
  const sessions =
    (db.models.Session as Model<Session> | undefined) ??
    db.model<Session>(
      'Session',
      new Schema<Session>({
        tokenDigest: { type: String, required: true, unique: true },
        username: { type: String, required: true, index: true },
        createdAt: { type: Date, required: true },
        expiresAt: { type: Date, required: true, index: true },
      }),
    );
  return { users, partners, sessions };
}

export const digest = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** A new random secret (256 bits), URL-safe. */
export const newSecret = (): string => randomBytes(32).toString('base64url');
