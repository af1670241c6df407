/**
 * The inbox asks the broker for the variables it reads, not every variable of the instance: the
 * dossier's code, the element's activation instant, the governing internal procedure and the
 * inputs every form shows.
 */
import { forms } from '../../../processes/contracts';
import { USER_TASK_VARIABLES } from '../../../server/inbox/inbox';

test('the inbox fetches the dossier code, the activation instant and the internal procedure', () => {
  expect(USER_TASK_VARIABLES).toEqual(expect.arrayContaining(['dossierCode', 'activatedAt', 'internalProcessId']));
});

test.each(Object.entries(forms))('the inbox fetches every input form %s shows', (_key, form) => {
  expect(USER_TASK_VARIABLES).toEqual(expect.arrayContaining([...form.inputs]));
});
