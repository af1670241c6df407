/**
 * Demo accounts for the local stack and tests: one staff user per role, bound to the units
 * named in the BPMN SLA metadata, and the integration partners the simulators play (their
 * signing secret is `partnerKey`; the one-stop system serves `agencyCode`). Idempotent (insert
 * unless the username / partner id exists; a partner without a secret or agency gets them).
 * Refused in production.
 */
import { sql } from 'kysely';
import type { Db } from '../db';
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
  { username: 'thietke', displayName: 'Thiết kế quy trình (demo)', roles: ['processDesigner'], unitId: 'stp-van-phong' },
];

/** The agency of the demo one-stop partner when the caller names none (AGENCY_CODE's default). */
export const DEMO_AGENCY_CODE = 'STP.KHA';

export const DEMO_PARTNERS = [
  { partnerId: 'mot-cua-tinh', name: 'Hệ thống thông tin giải quyết TTHC tỉnh (demo)', scopes: ['intake'], servesAgency: true },
  { partnerId: 'ca-pv06', name: 'Công an tỉnh – PV06 (mô phỏng)', scopes: ['callback:police'], servesAgency: false },
  { partnerId: 'vneid', name: 'VNeID – đánh giá của người dân (mô phỏng)', scopes: ['callback:vneid'], servesAgency: false },
] as const;

export async function seedDemoAccounts(
  db: Db,
  options: { nodeEnv: string; password: string; partnerKey: string; agencyCode?: string; emailDomain?: string; now: () => Date },
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
    .values(
      DEMO_PARTNERS.map(({ servesAgency, ...partner }) => ({
        ...partner,
        scopes: [...partner.scopes],
        signingSecret: options.partnerKey,
        agencyCode: servesAgency ? (options.agencyCode ?? DEMO_AGENCY_CODE) : null,
        active: true,
      })),
    )
    .onConflict((oc) =>
      oc
        .column('partnerId')
        .doUpdateSet((eb) => ({ signingSecret: sql<string>`coalesce(partners.signing_secret, ${eb.ref('excluded.signingSecret')})`, agencyCode: sql<string | null>`coalesce(partners.agency_code, ${eb.ref('excluded.agencyCode')})` })),
    )
    .execute();
}
