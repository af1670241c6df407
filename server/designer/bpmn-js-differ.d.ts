/**
 * The part of bpmn-js-differ 3.2 this project uses (the package ships no declarations): `diff`
 * of two bpmn-moddle definitions, keyed by element id. Its `attrs` give the names of the changed
 * attributes; compare.ts reads the values from the models themselves.
 */
declare module 'bpmn-js-differ' {
  export interface DiffedElement {
    $type: string;
    id?: string;
    name?: string;
  }

  export interface DiffResult {
    _added: Record<string, DiffedElement>;
    _removed: Record<string, DiffedElement>;
    _layoutChanged: Record<string, DiffedElement>;
    _changed: Record<string, { model: DiffedElement; attrs: Record<string, unknown> }>;
  }

  export function diff(a: unknown, b: unknown): DiffResult;
}
