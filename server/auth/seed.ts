/**
 * Demo accounts for the local stack and tests: one staff user per role, bound to the units
 * named in the BPMN SLA metadata, and the integration partners the simulators play.
 * Idempotent (insert unless the username / partner id exists). Refused in production.
 */
import type { Db } from '../db';
import { digest } from './models';
import { hashPassword } from './passwords';
import type { Role } from './roles';

export interface DemoUser {
  username: string;
  displayName: string;
  roles: Role[];
  unitId: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'quantri', displayName: 'Quản trị hệ thống', roles: ['administrator'], unitId: 'stp-van-phong' },
  { username: 'motcua', displayName: 'Cán bộ Một cửa (demo)', roles: ['oneStopOfficer'], unitId: 'stp-mot-cua' },
  { username: 'chuyenvien', displayName: 'Chuyên viên LLTP (demo)', roles: ['lltpOfficer'], unitId: 'stp-hctp' },
  { username: 'truongphong', displayName: 'Trưởng phòng HCTP (demo)', roles: ['headOfDivision'], unitId: 'stp-hctp' },
  { username: 'lanhdao', displayName: 'Phó Giám đốc Sở (demo)', roles: ['leader'], unitId: 'stp-lanh-dao' },
  { username: 'thanhtra', displayName: 'Thanh tra Sở (demo)', roles: ['inspector'], unitId: 'stp-thanh-tra' },
  { username: 'giamsat', displayName: 'Giám sát Đề án 06 (demo)', roles: ['supervisor'], unitId: 'stp-lanh-dao' },
];

export const DEMO_PARTNERS = [
  { partnerId: 'mot-cua-tinh', name: 'Hệ thống thông tin giải quyết TTHC tỉnh (demo)', scopes: ['intake'] },
  { partnerId: 'ca-pv06', name: 'Công an tỉnh – PV06 (mô phỏng)', scopes: ['callback:police'] },
] as const;

export async function seedDemoAccounts(
  db: Db,
  options: { nodeEnv: string; password: string; partnerKey: string; emailDomain?: string; now: () => Date },
): Promise<void> {
  if (options.nodeEnv === 'production') throw new Error('Demo accounts are never seeded in production.');
  const passwordHash = await hashPassword(options.password);
  const domain = options.emailDomain ?? 'stp.example.vn';
  await db
    .insertInto('users')
    .values(DEMO_USERS.map((user) => ({ ...user, roles: [...user.roles], email: `${user.username}@${domain}`, passwordHash, active: true, createdAt: options.now() })))
    .onConflict((oc) => oc.column('username').doNothing())
    .execute();
  await db
    .insertInto('partners')
    .values(DEMO_PARTNERS.map((partner) => ({ ...partner, scopes: [...partner.scopes], keyDigest: digest(options.partnerKey), active: true })))
    .onConflict((oc) => oc.column('partnerId').doNothing())
    .execute();
}
