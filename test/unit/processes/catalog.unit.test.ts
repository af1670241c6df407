/**
 * Which process version governs a dossier: receipt date (Việt Nam) against effective dates,
 * on made-up versions (the shipped catalog is checked in shipped-models.unit.test.ts).
 */
import { ProcessCatalog, ProcessCatalogError, receiptDate } from '../../../server/sla/catalog';
import type { SlaPlan } from '../../../server/sla/plan';

const at = (iso: string): Date => new Date(iso);
const agencies = [{ code: 'STP.T', name: 'Test', nationalProcedure: 'national', internalProcedure: 'internal' }];

function version(procedure: string, effectiveFrom: string, effectiveTo: string | null = null): SlaPlan {
  return {
    processId: `${procedure}-v${effectiveFrom.replaceAll('-', '')}`,
    name: procedure,
    procedure,
    effectiveFrom,
    effectiveTo,
    legalBasis: 'test',
    targets: { ordinary: 60, verification: 60, statutory: 60 },
    deadlines: {},
    steps: {},
    source: `${procedure}.bpmn`,
  };
}

describe('a national procedure and the internal procedure it calls', () => {
  const catalog = new ProcessCatalog([version('national', '2024-10-01'), version('internal', '2024-10-29')], agencies);

  test('gives intake the national process and the internal process id in force on the receipt date', () => {
    expect(catalog.processesFor('STP.T', at('2024-11-04T09:00:00+07:00'))).toEqual({
      nationalProcessId: 'national-v20241001',
      internalProcessId: 'internal-v20241029',
    });
  });

  test('counts the receipt date in Việt Nam time (UTC+7)', () => {
    // 30 Sep 2024 17:30 UTC is 1 Oct 2024 00:30 in Việt Nam: the first version is in force.
    expect(receiptDate(at('2024-09-30T17:30:00Z'))).toBe('2024-10-01');
    expect(catalog.versionInForce('national', at('2024-09-30T17:30:00Z')).processId).toBe('national-v20241001');
    expect(() => catalog.versionInForce('national', at('2024-09-30T16:59:59Z'))).toThrow(
      /no version of national is in force on 2024-09-30 \(versions: national-v20241001 2024-10-01\.\.\)/,
    );
  });

  test('refuses a dossier received before the internal procedure took effect', () => {
    expect(() => catalog.processesFor('STP.T', at('2024-10-15T10:00:00+07:00'))).toThrow(
      /no version of internal is in force on 2024-10-15/,
    );
  });

  test('names an unknown agency', () => {
    expect(() => catalog.agency('STP.XYZ')).toThrow('agency STP.XYZ is not in agencies.json');
  });
});

describe('version selection', () => {
  const catalog = new ProcessCatalog(
    [version('national', '2024-10-01', '2026-07-01'), version('national', '2025-03-01'), version('internal', '2024-10-01'), version('national', '2026-07-01')],
    agencies,
  );

  test.each([
    ['2024-10-01T00:00:00+07:00', 'national-v20241001'],
    ['2025-02-28T23:59:59+07:00', 'national-v20241001'],
    ['2025-03-01T00:00:00+07:00', 'national-v20250301'],
    ['2026-06-30T12:00:00+07:00', 'national-v20250301'],
    ['2026-07-01T00:00:00+07:00', 'national-v20260701'],
    ['2030-01-01T08:00:00+07:00', 'national-v20260701'],
  ])('a dossier received %s is governed by %s', (receivedAt, processId) => {
    expect(catalog.versionInForce('national', at(receivedAt)).processId).toBe(processId);
  });

  test('a version whose effectiveTo has passed governs nothing after it', () => {
    const ended = new ProcessCatalog([version('national', '2024-10-01', '2025-01-01'), version('internal', '2024-10-01')], agencies);
    expect(() => ended.versionInForce('national', at('2025-01-01T08:00:00+07:00'))).toThrow(/no version of national is in force on 2025-01-01/);
    expect(ended.versionInForce('national', at('2024-12-31T16:00:00+07:00')).processId).toBe('national-v20241001');
  });

  test('two versions of a procedure cannot take effect the same day', () => {
    expect(() => new ProcessCatalog([version('national', '2024-10-01'), version('national', '2024-10-01'), version('internal', '2024-10-01')], agencies)).toThrow(ProcessCatalogError);
  });

  test('an agency must name procedures that exist', () => {
    expect(() => new ProcessCatalog([version('national', '2024-10-01')], agencies)).toThrow('agencies.json: agency STP.T names procedure internal, which no model in processes/ declares');
  });
});
