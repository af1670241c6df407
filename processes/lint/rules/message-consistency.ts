/**
 * Messages are the ones the adapters publish (processes/contracts.ts): each message name is
 * declared once, is a fixed name from the catalogue, correlates with the catalogue's key,
 * and is used by some element.
 */
import { descendants, extension, is, list, text } from '../../../server/sla/moddle';
import { messages } from '../../contracts';
import type { RuleFactory } from '../rule';

const catalogue: Record<string, { correlationKey: string }> = messages;

const rule: RuleFactory = () => ({
  check(node, reporter) {
    if (!is(node, 'bpmn:Definitions')) return;
    const declared = list(node, 'rootElements').filter((e) => is(e, 'bpmn:Message'));
    const processes = list(node, 'rootElements').filter((e) => is(e, 'bpmn:Process'));
    const users = processes.flatMap((p) => descendants(p)).flatMap((e) => {
      const direct = e.get('messageRef');
      const definitions = list(e, 'eventDefinitions').map((d) => d.get('messageRef'));
      return [direct, ...definitions].filter((m) => m !== undefined);
    });
    const seen = new Map<string, string>();
    for (const message of declared) {
      const id = message.id ?? '(no id)';
      const name = text(message, 'name') ?? '';
      if (name === '') {
        reporter.report(id, 'message has no name');
        continue;
      }
      if (name.startsWith('=')) {
        reporter.report(id, `message name "${name}" is an expression; use a fixed name from processes/contracts.ts`);
        continue;
      }
      const first = seen.get(name);
      if (first) reporter.report(id, `message name "${name}" is already declared by ${first}`);
      else seen.set(name, id);
      const contract = catalogue[name];
      if (!contract) {
        reporter.report(id, `message "${name}" is not in the message catalogue (processes/contracts.ts: ${Object.keys(catalogue).join(', ')})`);
        continue;
      }
      const subscription = extension(message, 'zeebe:Subscription');
      const key = subscription ? text(subscription, 'correlationKey') : undefined;
      if (key !== contract.correlationKey) {
        reporter.report(id, `message "${name}" correlates with ${key === undefined ? 'no key' : `"${key}"`}; the catalogue says "${contract.correlationKey}"`);
      }
      if (!users.includes(message)) reporter.report(id, `message "${name}" is declared but no element waits for it`);
    }
  },
});

export default rule;
