/**
 * Which process version governs a dossier: receipt date (Việt Nam) against effective dates,
 * on made-up versions (the shipped catalog is checked in shipped-models.unit.test.ts).
 */
import { catalogProblems, loadProcessCatalog, NoAgencyInForceError, periodOf, ProcessCatalog, ProcessCatalogError, receiptDate, versionPairs } from '../../../server/sla/catalog';
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
    governs: {},
    forms: {},
    governedSteps: {},
    steps: {},
    flow: { starts: [], roots: [], edges: {} },
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

describe('the shipped Khánh Hòa versions cover every receipt date from the pilot start', () => {
  test('a dossier received in the pilot before QĐ 2799 runs under the default internal version', async () => {
    const catalog = await loadProcessCatalog();
    expect(catalog.processesFor('STP.KHA', at('2024-10-15T03:00:00Z'))).toEqual({
      nationalProcessId: 'quy-trinh-570-v20241001',
      internalProcessId: 'khanh-hoa-2799-v20241001',
    });
    expect(catalog.plan('khanh-hoa-2799-v20241001')?.name).toMatch(/MẶC ĐỊNH/);
    // The default version ends where QĐ 2799 begins.
    expect(catalog.processesFor('STP.KHA', at('2024-10-28T16:59:59Z')).internalProcessId).toBe('khanh-hoa-2799-v20241001');
    expect(catalog.processesFor('STP.KHA', at('2024-10-28T17:00:00Z')).internalProcessId).toBe('khanh-hoa-2799-v20241029');
  });

  test('a dossier received before the pilot gets the error intake turns into 422', async () => {
    const catalog = await loadProcessCatalog();
    const refuse = () => catalog.processesFor('STP.KHA', at('2024-09-01T03:00:00Z'));
    expect(refuse).toThrow(NoAgencyInForceError);
    expect(refuse).toThrow(/no agency of STP.KHA, CA.KHA, STP.NTH, CA.NTH receives dossiers on 2024-09-01/);
  });

  test('every internal version sets the terms of every step the national model leaves to it', async () => {
    const catalog = await loadProcessCatalog();
    expect(catalogProblems(catalog)).toEqual([]);
    for (const { national, internal } of versionPairs(catalog)) {
      expect(Object.keys(national.governedSteps).length).toBeGreaterThan(0);
      expect(Object.keys(internal.governs).sort()).toEqual(Object.keys(national.governedSteps).sort());
    }
  });
});

describe('an agency\'s national and internal versions together', () => {
  const terms = (allotment: number, role = 'lltpOfficer') => ({
    allotments: { ordinary: allotment, verification: allotment, statutory: allotment },
    unit: 'stp-hctp',
    unitName: null,
    role,
    escalation: [{ role: 'headOfDivision', afterWorkingMinutes: 0 }],
    clock: 'running' as const,
  });
  const shape = (elementId: string, calledProcessId: string | null = null) => ({
    elementId,
    elementType: calledProcessId ? 'bpmn:CallActivity' : 'bpmn:UserTask',
    name: elementId,
    jobType: calledProcessId ? null : 'io.camunda.zeebe:userTask',
    formKey: null,
    calledProcessId,
    scope: [],
  });
  const days = (n: number) => n * 480;
  const national = (from: string, governed: string[], deadlines: Record<string, number> = { statutory: days(10), statutoryExtended: days(15), apologyLead: days(1), apologyPrompt: 240, supplementRequest: days(3), supplementWait: days(15) }): SlaPlan => ({
    ...version('national', from),
    targets: { ordinary: days(3), verification: days(9), statutory: days(15) },
    deadlines,
    governedSteps: Object.fromEntries(governed.map((id) => [id, shape(id, id === 'drawUp' ? '=internalProcessId' : null)])),
  });
  const internal = (from: string, governs: Record<string, ReturnType<typeof terms>>, target = 240, to: string | null = null): SlaPlan => ({
    ...version('internal', from, to),
    targets: { ordinary: target, verification: target, statutory: target },
    governs,
  });

  test('a version governs until its effectiveTo or the next version, whichever comes first', () => {
    const versions = [internal('2024-10-01', {}, 240, '2024-10-20'), internal('2024-10-29', {})];
    expect(periodOf(versions, versions[0]!)).toEqual({ from: '2024-10-01', to: '2024-10-20' });
    expect(periodOf(versions, versions[1]!)).toEqual({ from: '2024-10-29', to: null });
    const open = [internal('2024-10-01', {}), internal('2024-10-29', {})];
    expect(periodOf(open, open[0]!)).toEqual({ from: '2024-10-01', to: '2024-10-29' });
  });

  test('pairs only the versions whose periods overlap', () => {
    const catalog = new ProcessCatalog(
      [national('2024-10-01', []), national('2025-01-01', []), internal('2024-10-01', {}), internal('2025-06-01', {})],
      agencies,
    );
    expect(versionPairs(catalog).map((p) => `${p.national.processId}+${p.internal.processId}`)).toEqual([
      'national-v20241001+internal-v20241001',
      'national-v20250101+internal-v20241001',
      'national-v20250101+internal-v20250601',
    ]);
  });

  test('a consistent pair has no problem', () => {
    const catalog = new ProcessCatalog([national('2024-10-01', ['check', 'drawUp']), internal('2024-10-01', { check: terms(240), drawUp: terms(480) })], agencies);
    expect(catalogProblems(catalog)).toEqual([]);
    expect(catalog.stepSla('national-v20241001', 'check', 'internal-v20241001')).toMatchObject({ elementId: 'check', role: 'lltpOfficer', allotments: { ordinary: 240 } });
  });

  test.each([
    ['a governed step without terms', [national('2024-10-01', ['check', 'drawUp']), internal('2024-10-01', { drawUp: terms(480) })], 'internal-v20241001', /sets no lltp:step\.check\.\* for step check \("check"\) of national-v20241001/],
    ['terms for a step the national model does not govern', [national('2024-10-01', ['drawUp']), internal('2024-10-01', { drawUp: terms(480), chek: terms(60) })], 'internal-v20241001', /lltp:step\.chek\.\*: national-v20241001 has no such step/],
    ['an internal procedure longer than its call activity', [national('2024-10-01', ['drawUp']), internal('2024-10-01', { drawUp: terms(240) }, 480)], 'drawUp', /calls internal-v20241001 \(agency STP\.T\), whose ordinary target 1wd exceeds this step's allotment 4h/],
    ['a national version without its statutory deadline', [national('2024-10-01', [], { statutoryExtended: days(15), apologyLead: days(1) }), internal('2024-10-01', {})], 'national-v20241001', /has no lltp:deadline\.statutory/],
    ['a statutory deadline that is not whole working days', [national('2024-10-01', [], { statutory: days(10) + 60, statutoryExtended: days(15), apologyLead: days(1) }), internal('2024-10-01', {})], 'national-v20241001', /lltp:deadline\.statutory must be whole working days/],
  ])('%s is named', (_what, plans, elementId, message) => {
    const problems = catalogProblems(new ProcessCatalog(plans, agencies));
    expect(problems.filter((p) => p.elementId === elementId && message.test(p.message))).toHaveLength(1);
  });

  test('a governed step of a dossier whose internal version sets no terms is an error, not a silent default', () => {
    const catalog = new ProcessCatalog([national('2024-10-01', ['check']), internal('2024-10-01', {})], agencies);
    expect(() => catalog.stepSla('national-v20241001', 'check', 'internal-v20241001')).toThrow(/step check is governed by the internal procedure, but internal-v20241001 sets no lltp:step\.check\.\*/);
    expect(() => catalog.stepSla('national-v20241001', 'check', null)).toThrow(/the dossier has no internalProcessId/);
  });
});

describe('agencies by date: one lineage, the body in force on the receipt date', () => {
  const plans = [version('national', '2024-10-01'), version('so', '2024-10-01', '2025-03-01'), version('police', '2025-03-01')];
  const table = [
    { code: 'STP.T', name: 'Sở Tư pháp tỉnh T', province: '01', effectiveFrom: '2024-10-01', effectiveTo: '2025-03-01', nationalProcedure: 'national', internalProcedure: 'so' },
    { code: 'CA.T', name: 'Công an tỉnh T', province: '01', effectiveFrom: '2025-03-01', succeeds: ['STP.T'], nationalProcedure: 'national', internalProcedure: 'police' },
    { code: 'V06', name: 'Cục Hồ sơ nghiệp vụ', province: null, effectiveFrom: '2025-03-01' },
  ];
  const catalog = new ProcessCatalog(plans, table);

  test.each([
    ['STP.T', '2025-02-28T16:59:59Z', 'STP.T', 'so-v20241001'],
    ['STP.T', '2025-02-28T17:00:00Z', 'CA.T', 'police-v20250301'],
    ['CA.T', '2024-11-05T09:00:00+07:00', 'STP.T', 'so-v20241001'],
  ])('AGENCY_CODE %s, received %s: %s receives it under %s', (code, receivedAt, agency, internal) => {
    expect(catalog.agencyInForce(code, at(receivedAt)).code).toBe(agency);
    expect(catalog.processesFor(code, at(receivedAt)).internalProcessId).toBe(internal);
  });

  test('the lineage links predecessors and successors; a named-only body is no one\'s', () => {
    expect(catalog.lineage('STP.T')).toEqual(['STP.T', 'CA.T']);
    expect(catalog.sameLineage('STP.T', 'CA.T')).toBe(true);
    expect(catalog.sameLineage('CA.T', 'V06')).toBe(false);
  });

  test('residents of a province go to its body of the day; no residence goes to V06', () => {
    expect(catalog.agencyForResidence('01', at('2024-11-05T09:00:00+07:00'))?.code).toBe('STP.T');
    expect(catalog.agencyForResidence('01', at('2026-12-07T09:00:00+07:00'))?.code).toBe('CA.T');
    expect(catalog.agencyForResidence(null, at('2026-12-07T09:00:00+07:00'))?.code).toBe('V06');
  });

  test('a day the agency receives without an internal version in force is a catalog problem', () => {
    const gap = new ProcessCatalog([version('national', '2024-10-01'), version('so', '2024-10-01', '2025-02-01'), version('police', '2025-03-01')], table);
    expect(catalogProblems(gap).filter((p) => p.source === 'agencies.json').map((p) => `${p.elementId}: ${p.message}`)).toEqual([
      expect.stringMatching(/^STP.T: receives dossiers on 2025-02-01 .*no version of so is in force then/),
    ]);
  });

  test('a succession naming an unknown agency is refused', () => {
    expect(() => new ProcessCatalog(plans, [...table, { code: 'XX', name: 'X', succeeds: ['NOPE'] }])).toThrow('agency XX succeeds NOPE, which is not in the table');
  });
});
