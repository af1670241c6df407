/**
 * Production refuses the demo's secrets. The demo accounts and partners are written only by
 * `npm run demo` (tools/demo/seed.ts), never by an app process; an API started with
 * NODE_ENV=production checks that none of them can be used there: no demo staff account whose
 * password is the demo password (the shipped default or DEMO_PASSWORD), no active partner whose
 * signing secret is the demo partner key (the shipped default or DEMO_PARTNER_KEY), and a METRICS_TOKEN,
 * when set, long enough not to be guessed. Each problem is named; the API does not start.
 */
import type { Config } from '../config';
import { settings } from '../config';
import type { Db } from '../db';
import { verifyPassword } from './passwords';
import { DEMO_USERS } from './seed';

/** The shortest METRICS_TOKEN production accepts. */
export const METRICS_TOKEN_MIN_LENGTH = 24;

export class DemoSecretError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Không khởi động ở chế độ production (NODE_ENV=production) với bí mật của bản demo:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'DemoSecretError';
  }
}

const demoValues = (configured: string, shipped: string | undefined): string[] => [...new Set([configured, shipped ?? configured])];

/** The problems that keep a production API from starting (none: it may start). */
export async function demoSecretProblems(db: Db, config: Pick<Config, 'DEMO_PASSWORD' | 'DEMO_PARTNER_KEY' | 'METRICS_TOKEN'>): Promise<string[]> {
  const problems: string[] = [];
  const passwords = demoValues(config.DEMO_PASSWORD, settings.DEMO_PASSWORD.default);
  const users = await db
    .selectFrom('users')
    .select(['username', 'passwordHash'])
    .where('active', '=', true)
    .where('username', 'in', DEMO_USERS.map((u) => u.username))
    .execute();
  const open: string[] = [];
  for (const user of users) {
    for (const password of passwords) {
      if (await verifyPassword(password, user.passwordHash)) {
        open.push(user.username);
        break;
      }
    }
  }
  if (open.length > 0) problems.push(`tài khoản demo ${open.join(', ')} dùng mật khẩu demo (DEMO_PASSWORD): đổi mật khẩu hoặc khóa các tài khoản này (users.active = false)`);
  const keys = demoValues(config.DEMO_PARTNER_KEY, settings.DEMO_PARTNER_KEY.default);
  const partners = await db.selectFrom('partners').select('partnerId').where('active', '=', true).where('signingSecret', 'in', keys).execute();
  if (partners.length > 0) problems.push(`đối tác ${partners.map((p) => p.partnerId).join(', ')} dùng khóa demo (DEMO_PARTNER_KEY): cấp khóa mới hoặc khóa đối tác`);
  if (config.METRICS_TOKEN !== '' && config.METRICS_TOKEN.length < METRICS_TOKEN_MIN_LENGTH) {
    problems.push(`METRICS_TOKEN quá ngắn (${config.METRICS_TOKEN.length} ký tự, cần ít nhất ${METRICS_TOKEN_MIN_LENGTH})`);
  }
  return problems;
}

/** Throws `DemoSecretError` naming every problem when the API runs in production with a demo secret. */
export async function refuseDemoSecrets(db: Db, config: Config): Promise<void> {
  if (config.NODE_ENV !== 'production') return;
  const problems = await demoSecretProblems(db, config);
  if (problems.length > 0) throw new DemoSecretError(problems);
}
