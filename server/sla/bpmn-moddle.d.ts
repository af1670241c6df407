/**
 * The part of bpmn-moddle 10 this project uses. The package ships element types under
 * `bpmn-moddle/types` but no declaration for its entry point; elements are read through
 * `ModdleElement` in `./moddle`.
 */
declare module 'bpmn-moddle' {
  export interface ModdleImportWarning {
    message: string;
    element?: { id?: string; $type?: string };
  }

  export interface ModdleFromXmlResult<Root> {
    rootElement: Root;
    warnings: ModdleImportWarning[];
    references: unknown[];
    elementsById: Record<string, unknown>;
  }

  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML<Root = unknown>(xml: string, typeName?: string, options?: Record<string, unknown>): Promise<ModdleFromXmlResult<Root>>;
    toXML(element: unknown, options?: { format?: boolean; preamble?: boolean }): Promise<{ xml: string }>;
    create<T = unknown>(type: string, attrs?: Record<string, unknown>): T;
  }
}
