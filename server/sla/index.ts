/** SLA plans read from the BPMN models, and the catalog of process versions. */
export * from './working-time';
export * from './spec';
export * from './plan';
export * from './catalog';
