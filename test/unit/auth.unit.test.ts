import type { NextFunction, Request, Response } from 'express';
import { requireRole, requireScope, type Principal } from '../../server/auth/middleware';
import { hashPassword, verifyPassword } from '../../server/auth/passwords';

function call(handler: ReturnType<typeof requireRole>, principal?: Principal): { status?: number; next: boolean } {
  const result: { status?: number; next: boolean } = { next: false };
  const res = { status: (s: number) => ((result.status = s), { json: () => undefined }) } as unknown as Response;
  const next: NextFunction = () => {
    result.next = true;
  };
  void handler({ principal } as Request, res, next);
  return result;
}

const staff = (roles: Extract<Principal, { kind: 'staff' }>['roles']): Principal => ({
  kind: 'staff', username: 'u', displayName: 'U', roles, unitId: 'stp-hctp',
});

test.each([
  [['lltpOfficer'], ['lltpOfficer'], true],
  [['leader', 'supervisor'], ['supervisor'], true],
  [['leader'], ['lltpOfficer'], false],
  [['inspector'], ['administrator'], false],
] as const)('requireRole(%j) for a user with %j lets through: %s', (needed, has, allowed) => {
  const result = call(requireRole(...needed), staff([...has]));
  expect(result.next).toBe(allowed);
  if (!allowed) expect(result.status).toBe(403);
});

test('a partner never passes a staff role check, and staff never pass a partner scope check', () => {
  expect(call(requireRole('administrator'), { kind: 'partner', partnerId: 'p', scopes: ['intake'], agencyCode: null }).status).toBe(403);
  expect(call(requireScope('intake'), staff(['administrator'])).status).toBe(403);
  expect(call(requireScope('intake'), { kind: 'partner', partnerId: 'p', scopes: ['intake'], agencyCode: null }).next).toBe(true);
  expect(call(requireScope('callback:police'), { kind: 'partner', partnerId: 'p', scopes: ['intake'], agencyCode: null }).status).toBe(403);
});

test('passwords verify only against their own hash, and hashes are salted', async () => {
  const a = await hashPassword('mật khẩu');
  const b = await hashPassword('mật khẩu');
  expect(a).not.toBe(b);
  await expect(verifyPassword('mật khẩu', a)).resolves.toBe(true);
  await expect(verifyPassword('mat khau', a)).resolves.toBe(false);
  await expect(verifyPassword('x', 'not-a-hash')).resolves.toBe(false);
});
