/** `deployProcesses`: every model deploys; a model that fails linting stops the whole deployment. */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { deployProcesses, ProcessLintError } from '../../../processes/deploy';
import { loadProcessCatalog, PROCESSES_DIR } from '../../../server/sla/catalog';
import { loadConfig } from '../../../server/config';
import { createLogger } from '../../../server/logger';
import { createZeebeClient, type ZeebeGrpcClient } from '../../../server/zeebe';
import { copyProcessesFolder, removeFolder } from '../../support/processes-folder';
import { requireBroker } from './harness';

jest.setTimeout(60_000);

let zeebe: ZeebeGrpcClient;

beforeAll(async () => {
  await requireBroker();
  zeebe = createZeebeClient({ ...loadConfig(), LOG_LEVEL: 'silent' }).zeebe;
});

afterAll(async () => {
  await zeebe.close();
});

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ level: 'info', component: 'deploy', destination });
  return { logger, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

test('every model in processes/ deploys; deploying unchanged models again keeps their versions', async () => {
  const { logger, lines } = capturingLogger();
  const first = await deployProcesses(zeebe, logger);
  const processIds = (await loadProcessCatalog()).plans.map((p) => p.processId);
  expect(first.map((p) => p.bpmnProcessId).sort()).toEqual(processIds.sort());
  const again = await deployProcesses(zeebe, logger);
  expect(again.map((p) => [p.bpmnProcessId, p.version, p.processDefinitionKey]).sort()).toEqual(first.map((p) => [p.bpmnProcessId, p.version, p.processDefinitionKey]).sort());
  expect(lines().filter((l) => l.msg === 'process deployed')).toHaveLength(2 * processIds.length);
});

test('a model that fails linting: nothing is deployed, every problem is logged with element and rule', async () => {
  const dir = await copyProcessesFolder();
  try {
    // A new procedure nobody deployed before, with its sign step missing its responsible unit.
    const procedure = `refused-${randomBytes(3).toString('hex')}`;
    const processId = `${procedure}-v20241029`;
    const xml = (await readFile(path.join(PROCESSES_DIR, 'khanh-hoa-2799-v20241029.bpmn'), 'utf8'))
      .replaceAll('khanh-hoa-2799-v20241029', processId)
      .replace('<zeebe:property name="lltp:procedure" value="khanh-hoa-2799" />', `<zeebe:property name="lltp:procedure" value="${procedure}" />`)
      .replace(/(<bpmn:serviceTask id="signCertificate"[\s\S]*?)<zeebe:property name="lltp:sla.unit" value="he-thong-mot-cua" \/>/, '$1');
    await writeFile(path.join(dir, `${processId}.bpmn`), xml);

    const { logger, lines } = capturingLogger();
    const error = await deployProcesses(zeebe, logger, { dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessLintError);
    expect((error as ProcessLintError).message).toContain(`${processId}.bpmn: error signCertificate [lltp/sla-complete] lltp:sla.unit is missing`);
    expect(lines().filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ file: `${processId}.bpmn`, elementId: 'signCertificate', rule: 'lltp/sla-complete', msg: 'process lint: lltp:sla.unit is missing' }),
    ]);
    await expect(zeebe.createProcessInstance({ bpmnProcessId: processId, variables: {} })).rejects.toMatchObject({ code: 5 });
  } finally {
    await removeFolder(dir);
  }
});
