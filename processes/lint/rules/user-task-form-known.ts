/** Every user task names its form (`zeebe:formDefinition formKey`) from the form catalogue. */
import { formKey, is } from '../../../server/sla/moddle';
import { forms } from '../../contracts';
import { executableOnly } from '../rule';

export default executableOnly((node, reporter) => {
  if (!is(node, 'bpmn:UserTask')) return;
  const id = node.id ?? '(no id)';
  const key = formKey(node);
  if (!key) reporter.report(id, 'has no form key (zeebe:formDefinition formKey); the inbox cannot show it');
  else if (!(key in forms)) reporter.report(id, `form key "${key}" is not in the form catalogue (processes/contracts.ts)`);
});
