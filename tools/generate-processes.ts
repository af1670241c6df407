/**
 * Writes the shipped models (tools/process-models/*.ts) to processes/*.bpmn, semantics and
 * diagram together. Deterministic; a unit test fails when a committed file differs from
 * what this script writes. Models a designer adds in Camunda Modeler are not touched.
 *
 *   npx tsx tools/generate-processes.ts
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROCESSES_DIR } from '../server/sla/catalog';
import { generateModel, models } from './process-models';

async function main(): Promise<void> {
  for (const model of models) {
    const file = path.join(PROCESSES_DIR, model.fileName);
    await writeFile(file, generateModel(model));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
