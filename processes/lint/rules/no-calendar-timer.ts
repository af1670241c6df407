/**
 * Zeebe has no business calendar, so a timer must wait for an instant computed in TypeScript
 * with the working calendar: `timeDate` reading a variable (`=apologyByAt`). Durations and
 * cycles (calendar time) and fixed dates are reported.
 */
import { is, isModdleElement, text, type ModdleElement } from '../../../server/sla/moddle';
import { executableOnly } from '../rule';

const VARIABLE = /^=\s*[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\s*$/;

const body = (expression: unknown): string | undefined => (isModdleElement(expression) ? (text(expression, 'body') ?? '') : undefined);

export default executableOnly((node, reporter) => {
  if (!is(node, 'bpmn:TimerEventDefinition')) return;
  const event = node.$parent as ModdleElement;
  const id = event.id ?? '(no id)';
  const duration = body(node.get('timeDuration'));
  const cycle = body(node.get('timeCycle'));
  const date = body(node.get('timeDate'));
  if (duration !== undefined) reporter.report(id, `timer uses timeDuration "${duration}" (calendar time); compute the due instant in a worker and use timeDate =<variable>`);
  if (cycle !== undefined) reporter.report(id, `timer uses timeCycle "${cycle}" (calendar time); compute the due instant in a worker and use timeDate =<variable>`);
  if (date === undefined) {
    if (duration === undefined && cycle === undefined) reporter.report(id, 'timer has no timeDate; use timeDate =<variable>');
  } else if (!VARIABLE.test(date.trim())) {
    reporter.report(id, `timer timeDate "${date}" is not a variable; use timeDate =<variable> holding an instant computed with the working calendar`);
  }
});
