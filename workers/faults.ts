/**
 * The two kinds of failure a worker handler can throw (everything else thrown counts as a
 * technical fault):
 * - `TechnicalFault`: something that may work on a later attempt (a 5xx, a timeout, the
 *   database unreachable, a document not written yet). The job is failed with one retry
 *   fewer and an exponential back-off; when retries run out the engine raises an incident.
 * - `PermanentFault`: a retry cannot help (an external system refused the request with a 4xx,
 *   a variable breaks a rule the model does not catch). The job is failed with no retries left,
 *   so an incident is raised at once with the message, for an operator to fix.
 * Business outcomes are never faults: they are gateway variables or modelled BPMN errors.
 */
export class TechnicalFault extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TechnicalFault';
  }
}

export class PermanentFault extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentFault';
  }
}
