/**
 * The parts of the workers that need no service: the registry (one file per job type,
 * named after it), the retry back-off, the case variant, the end of office hours on the
 * seed calendar, the certificate digest, and the variables each worker fetches.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { jobTypes } from '../../../processes/contracts';
import { loadSeed } from '../../../server/calendar/seed';
import { calendarDataFromSeed } from '../../../server/calendar/model';
import { WorkingCalendars } from '../../../server/calendar/working-calendar';
import { z } from 'zod';
import { fetchedVariables, retryBackoff } from '../../../workers/framework';
import { caseVariantOf } from '../../../workers/lltp.deadline.plan';
import { endOfOfficeHours } from '../../../workers/lltp.apology.issue';
import { certificateDigest, certificateNumberOf } from '../../../workers/lltp.sign.certificate';
import { pendingJobTypes, workerJobTypes, workers } from '../../../workers/registry';

describe('registry', () => {
  test('every job type of the contract has exactly one worker, nothing is pending', () => {
    expect([...workerJobTypes].sort()).toEqual(Object.keys(jobTypes).sort());
    expect(new Set(workerJobTypes).size).toBe(workerJobTypes.length);
    expect(pendingJobTypes).toEqual([]);
  });

  test.each(Object.keys(jobTypes))('workers/%s.ts exists and its default export serves that type', async (type) => {
    const file = path.resolve(__dirname, '../../../workers', `${type}.ts`);
    expect(existsSync(file)).toBe(true);
    const mod = (await import(file)) as { default: { type: string } };
    expect(mod.default.type).toBe(type);
    expect(workers).toContain(mod.default);
  });
});

describe('retryBackoff', () => {
  const settings = { retryBackoffMs: 1000, retryBackoffMaxMs: 3000 };
  test.each([
    [3, 1000],
    [2, 2000],
    [1, 3000], // 4000 capped
    [5, 1000], // more retries than the models give: the first failure
  ])('retries %i before the failure → %i ms', (retries, expected) => {
    expect(retryBackoff(retries, settings)).toBe(expected);
  });
});

describe('caseVariantOf', () => {
  test.each([
    [{ searchOutcome: 'noRecord' } as const, 'ordinary'],
    [{ searchOutcome: 'needsVerification', verificationScope: 'province' } as const, 'verification'],
    [{ searchOutcome: 'needsVerification', verificationScope: 'extended' } as const, 'statutory'],
  ])('%j → %s', (search, variant) => {
    expect(caseVariantOf(search)).toBe(variant);
  });
});

describe('endOfOfficeHours (seed calendar, default office hours 07:30–11:30, 13:00–17:00)', () => {
  const calendar = new WorkingCalendars(calendarDataFromSeed(loadSeed())).forUnit('stp-mot-cua');
  test.each([
    ['2024-11-05', '2024-11-05T10:00:00.000Z'], // a Tuesday: 17:00 in Việt Nam
    ['2024-11-09', null], // Saturday
    ['2025-01-29', null], // Tết (1st day of the lunar year 2025)
    ['2025-09-02', null], // National Day
  ])('%s → %s', (date, expected) => {
    expect(endOfOfficeHours(calendar, date)?.toISOString() ?? null).toBe(expected);
  });
});

describe('certificate', () => {
  test('the number is derived from the dossier code; the digest is stable and changes with the content', () => {
    expect(certificateNumberOf('STP.KHA-241104-0001')).toBe('LLTP-STP.KHA-241104-0001');
    const base = { dossierCode: 'STP.KHA-241104-0001', certificateNumber: 'LLTP-STP.KHA-241104-0001', formType: 1, agencyCode: 'STP.KHA' };
    expect(certificateDigest(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(certificateDigest({ ...base })).toBe(certificateDigest(base));
    expect(certificateDigest({ ...base, formType: 2 })).not.toBe(certificateDigest(base));
  });
});

describe('fetchedVariables: a job brings only what its worker reads', () => {
  const framework = ['activatedAt', 'dossierCode', 'internalProcessId'];

  test.each(workers.map((w) => [w.type, w] as const))('%s fetches its schema\'s variables and the framework\'s', (_, worker) => {
    const names = fetchedVariables(worker);
    expect(names).toBeDefined();
    expect(names).toEqual(expect.arrayContaining(framework));
    // the schema's own names: validating with fetched variables only keeps what it kept before
    const shape = (worker.variables as unknown as { shape?: Record<string, unknown> }).shape;
    if (shape) expect(names).toEqual(expect.arrayContaining(Object.keys(shape)));
  });

  test('an intersection with a discriminated union (the deadline plan) fetches both sides and every branch', () => {
    const deadlinePlan = workers.find((w) => w.type === 'lltp.deadline.plan')!;
    expect(fetchedVariables(deadlinePlan)).toEqual(expect.arrayContaining(['clockStartedAt', 'apologyIssued', 'returnDueAt', 'searchOutcome', 'verificationScope']));
  });

  test.each([
    ['a transformed schema', z.object({ a: z.string() }).transform((v) => v.a)],
    ['a record', z.record(z.string(), z.string())],
    ['an intersection with a record', z.object({ a: z.string() }).and(z.record(z.string(), z.string()))],
  ])('%s: every variable (its names cannot be told)', (_, schema) => {
    expect(fetchedVariables({ variables: schema as z.ZodType })).toBeUndefined();
  });
});
