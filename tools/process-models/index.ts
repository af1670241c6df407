/** The shipped models, generated into processes/ by tools/generate-processes.ts. */
import type { ModelSpec } from './dsl';
import { emitModel } from './emit';
import { khanhHoa2799 } from './khanh-hoa-2799';
import { layoutModel } from './layout';
import { quyTrinh570 } from './quy-trinh-570';

export const models: readonly ModelSpec[] = [quyTrinh570, khanhHoa2799];

/** The BPMN XML of a model, as written to processes/<fileName>. */
export function generateModel(model: ModelSpec): string {
  return emitModel(model, layoutModel(model));
}
