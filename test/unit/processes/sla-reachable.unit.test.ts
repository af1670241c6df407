/**
 * `lltp/sla-reachable` on the shipped models: the police gateway after step 6 sends every
 * VNeID dossier to PV06, so the police step's ordinary allotment (6h) and Khánh Hòa's ordinary
 * row for step 8 (2h) are reached; the gateway as it was (`=caseVariant = "verification" or
 * caseVariant = "statutory"` to the police, ordinary straight past) leaves both unreachable and
 * is reported, at the step in the national model and at the row in the province's table.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROCESS_CHANNELS } from '../../../processes/contracts';
import { formatProblem, lintXml, readLintConfig, REACH_RULE, tableReachProblems } from '../../../processes/lint/run';
import { loadAgencies, PROCESSES_DIR, processFiles, ProcessCatalog } from '../../../server/sla/catalog';
import { executableProcesses, readBpmn, zeebeProperties } from '../../../server/sla/moddle';
import { loadSlaPlans } from '../../../server/sla/plan';
import { reachedElements, variantReach } from '../../../server/sla/reach';

const NATIONAL = path.join(PROCESSES_DIR, 'quy-trinh-570-v20241001.bpmn');
const POLICE_FLOW = '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=caseVariant != "ordinary" or channel = "vneid"</bpmn:conditionExpression>';
const FAST_FLOW = '<bpmn:sequenceFlow id="flow-police-not-needed" name="Không có thông tin, kênh khác (luồng nhanh)" sourceRef="needsPolice" targetRef="joinVerification" />';

/** The national model with the police gateway as it was before every VNeID dossier went to PV06. */
async function oldGateway(): Promise<string> {
  const xml = await readFile(NATIONAL, 'utf8');
  expect(xml).toContain(POLICE_FLOW);
  expect(xml).toContain(FAST_FLOW);
  return xml
    .replace(' default="flow-police-not-needed"', '')
    .replace(POLICE_FLOW, '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=caseVariant = "verification" or caseVariant = "statutory"</bpmn:conditionExpression>')
    .replace(FAST_FLOW, FAST_FLOW.replace(' />', '>\n        <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=caseVariant = "ordinary"</bpmn:conditionExpression>\n      </bpmn:sequenceFlow>'));
}

/** The catalog of processes/ with the national model replaced by `nationalXml`, and every process's own properties. */
async function catalogWith(nationalXml: string) {
  const plans = [];
  const properties = new Map<string, Map<string, string>>();
  for (const file of await processFiles()) {
    const xml = file === NATIONAL ? nationalXml : await readFile(file, 'utf8');
    plans.push(...(await loadSlaPlans(xml, file)));
    const { definitions } = await readBpmn(xml, file);
    for (const process of executableProcesses(definitions)) properties.set(process.id ?? '', new Map(zeebeProperties(process)));
  }
  return { catalog: new ProcessCatalog(plans, await loadAgencies()), propertiesOf: (id: string) => properties.get(id) ?? new Map<string, string>() };
}

describe('the police gateway of Quy trình 570', () => {
  test('an ordinary VNeID dossier reaches steps 7 and 8; an ordinary dossier of another channel goes straight to step 9', async () => {
    const { catalog } = await catalogWith(await readFile(NATIONAL, 'utf8'));
    const flow = catalog.plan('quy-trinh-570-v20241001')?.flow;
    if (!flow) throw new Error('no national plan');
    const vneid = reachedElements(flow, { caseVariant: 'ordinary', channel: 'vneid' });
    expect(['requestPoliceVerification', 'awaitPoliceAnswer', 'recordVerification', 'drawUpCertificate'].filter((id) => vneid.has(id))).toHaveLength(4);
    const desk = reachedElements(flow, { caseVariant: 'ordinary', channel: 'inPerson' });
    expect(['awaitPoliceAnswer', 'recordVerification'].filter((id) => desk.has(id))).toEqual([]);
    expect(desk.has('drawUpCertificate')).toBe(true);
    for (const channel of PROCESS_CHANNELS) expect(reachedElements(flow, { caseVariant: 'verification', channel }).has('awaitPoliceAnswer')).toBe(true);
    // the police's reminder branch starts only where its host, step 7, runs
    expect(desk.has('remindPolice')).toBe(false);
    expect(variantReach(flow, PROCESS_CHANNELS).get('awaitPoliceAnswer')?.get('ordinary')).toEqual(['vneid']);
  });

  test('the shipped models: no unreachable allotment, deadline or table row', async () => {
    const config = await readLintConfig();
    for (const file of await processFiles()) {
      const problems = await lintXml(await readFile(file, 'utf8'), file, config);
      expect(problems.filter((p) => p.rule === REACH_RULE).map((p) => formatProblem(p))).toEqual([]);
    }
    const { catalog, propertiesOf } = await catalogWith(await readFile(NATIONAL, 'utf8'));
    expect(tableReachProblems(catalog, propertiesOf)).toEqual([]);
  });

  test('the old gateway (ordinary past the police) is an error naming step 7 and the ordinary variant', async () => {
    const problems = await lintXml(await oldGateway(), NATIONAL, await readLintConfig());
    expect(problems.map((p) => formatProblem(p, PROCESSES_DIR))).toEqual([
      'quy-trinh-570-v20241001.bpmn: error awaitPoliceAnswer [lltp/sla-reachable] lltp:sla.allotment.ordinary = 6h is unreachable: no path takes ordinary dossiers to this step (gateway conditions evaluated for caseVariant = "ordinary" and channel vneid, nationalPortal, provincialPortal, inPerson, post); change the conditions before it, or remove the allotment',
    ]);
  });

  test("the old gateway leaves Khánh Hòa's ordinary row for step 8 unreachable: an error on the province's table", async () => {
    const { catalog, propertiesOf } = await catalogWith(await oldGateway());
    const problems = tableReachProblems(catalog, propertiesOf);
    expect(problems.map((p) => `${path.basename(p.file)} ${p.elementId} [${p.rule}] ${p.message.split(': ').slice(1).join(': ')}`).sort()).toEqual(
      ['khanh-hoa-2799-v20241001', 'khanh-hoa-2799-v20241029'].map(
        (id) =>
          `${id}.bpmn ${id} [lltp/sla-reachable] lltp:step.recordVerification.allotment.ordinary = 2h is unreachable: no path of quy-trinh-570-v20241001 takes ordinary dossiers to recordVerification (gateway conditions evaluated for caseVariant = "ordinary" and channel vneid, nationalPortal, provincialPortal, inPerson, post)`,
      ),
    );
    expect(problems.every((p) => p.category === 'error')).toBe(true);
  });
});
