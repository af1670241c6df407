/** Outages: the quiet log, deadlines, which component an error names, the bounded pool and Zeebe calls. */
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { boundedPool, DatabaseBusyError, DatabaseUnavailableError } from '../../../server/db';
import type { Logger } from '../../../server/logger';
import { ComponentUnavailableError, OutageLog, unavailableComponent, withDeadline } from '../../../server/outage';
import { boundedZeebe, type ApiZeebe } from '../../../server/zeebe';

function recordingLogger(): { logger: Logger; lines: { level: string; fields: Record<string, unknown>; message: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
  return { logger: { warn: at('warn'), info: at('info'), error: at('error') } as unknown as Logger, lines };
}

describe('OutageLog', () => {
  test('one line when an outage starts, at most one per 10 s while it lasts, one summary when it ends', () => {
    let now = 0;
    const { logger, lines } = recordingLogger();
    const log = new OutageLog(logger, { now: () => now });
    for (let t = 0; t < 35_000; t += 10) {
      now = t;
      log.failure('zeebe', new Error('14 UNAVAILABLE: No connection established'));
    }
    now = 35_000;
    log.success('zeebe');
    expect(lines.map((l) => l.fields.outage)).toEqual(['started', 'continuing', 'continuing', 'continuing', 'ended']);
    expect(lines.at(-1)?.fields).toMatchObject({ dependency: 'zeebe', failures: 3500, seconds: 35 });
    expect(log.isDown('zeebe')).toBe(false);
  });

  test('record: an outage error is counted against its component, anything else is not an outage', () => {
    const { logger, lines } = recordingLogger();
    const log = new OutageLog(logger);
    expect(log.record(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('postgres');
    expect(log.record(new Error('5 NOT_FOUND: job'))).toBeNull();
    expect(log.isDown('postgres')).toBe(true);
    expect(lines.map((l) => l.fields.dependency)).toEqual(['postgres']);
  });

  test('components are counted apart, and success of an up component says nothing', () => {
    const { logger, lines } = recordingLogger();
    const log = new OutageLog(logger);
    log.success('postgres');
    log.failure('postgres', new Error('x'));
    log.failure('smtp', new Error('y'));
    expect(lines.map((l) => `${String(l.fields.dependency)}:${String(l.fields.outage)}`)).toEqual(['postgres:started', 'smtp:started']);
  });
});

describe('unavailableComponent', () => {
  test.each(([
    ['a refused database connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 'postgres'],
    ['a terminated database connection', new Error('Connection terminated unexpectedly'), 'postgres'],
    ['the database starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' }), 'postgres'],
    ['an unreachable gateway', Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }), 'zeebe'],
    ['a gateway deadline', new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), 'zeebe'],
    ['back-pressure', Object.assign(new Error('8 RESOURCE_EXHAUSTED: ...'), { code: 8 }), 'zeebe'],
    ['an SMTP connection error', Object.assign(new Error('Connection refused'), { code: 'ECONNECTION' }), 'smtp'],
    ['our own deadline', new ComponentUnavailableError('smtp', new Error('late')), 'smtp'],
    ['a business error from Zeebe', Object.assign(new Error('5 NOT_FOUND: job not found'), { code: 5 }), null],
    ['a constraint violation', Object.assign(new Error('duplicate key'), { code: '23505' }), null],
    ['a plain bug', new TypeError('x is undefined'), null],
  ] as const).map(([name, error, component]) => [name, component, error] as const))('%s → %s', (_case, component, error) => {
    expect(unavailableComponent(error)).toBe(component);
  });
});

test('withDeadline: an answer in time passes through, a late one becomes the component unavailable', async () => {
  await expect(withDeadline('zeebe', 100, Promise.resolve(7))).resolves.toBe(7);
  const late = new Promise((resolve) => setTimeout(resolve, 1000, 'late'));
  const started = Date.now();
  await expect(withDeadline('zeebe', 50, late)).rejects.toMatchObject({ component: 'zeebe' });
  expect(Date.now() - started).toBeLessThan(500);
});

describe('boundedZeebe', () => {
  const never = () => new Promise<never>(() => undefined);
  const zeebe = (overrides: Partial<ApiZeebe>): ApiZeebe =>
    ({ createProcessInstance: never, publishMessage: never, completeJob: never, cancelProcessInstance: never, ...overrides });

  test('a gateway that does not answer: ComponentUnavailableError within the deadline', async () => {
    await expect(boundedZeebe(zeebe({}), 50).createProcessInstance({ bpmnProcessId: 'p', variables: {} })).rejects.toBeInstanceOf(ComponentUnavailableError);
  });

  test('an unreachable gateway becomes unavailable; a business error stays what it is', async () => {
    const unavailable = boundedZeebe(zeebe({ completeJob: () => Promise.reject(Object.assign(new Error('14 UNAVAILABLE: x'), { code: 14 })) }), 1000);
    await expect(unavailable.completeJob({ jobKey: '1', variables: {} })).rejects.toMatchObject({ component: 'zeebe' });
    const notFound = boundedZeebe(zeebe({ completeJob: () => Promise.reject(new Error('5 NOT_FOUND: job')) }), 1000);
    await expect(notFound.completeJob({ jobKey: '1', variables: {} })).rejects.toThrow('NOT_FOUND');
  });

  test('fail fast while degraded: after the gateway refused a call the short deadline applies until a call is answered; a slow healthy broker keeps the full one', async () => {
    let answer: 'unavailable' | 'business' | 'silent' | 'ok' = 'unavailable';
    const create = () =>
      answer === 'unavailable'
        ? Promise.reject(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }))
        : answer === 'business'
          ? Promise.reject(new Error('5 NOT_FOUND: process'))
          : answer === 'silent'
          ? never()
          : Promise.resolve({ processInstanceKey: '1' } as never);
    const api = boundedZeebe(zeebe({ createProcessInstance: create }), 400, { degradedDeadlineMs: 40 });
    const timed = async (): Promise<{ ms: number; outcome: string }> => {
      const started = Date.now();
      const outcome = await api.createProcessInstance({ bpmnProcessId: 'p', variables: {} }).then(() => 'ok', (e: unknown) => (e instanceof ComponentUnavailableError ? 'unavailable' : 'other'));
      return { ms: Date.now() - started, outcome };
    };
    // healthy and slow (a burst): the full deadline, again and again
    answer = 'silent';
    for (let i = 0; i < 2; i += 1) {
      const slow = await timed();
      expect(slow.outcome).toBe('unavailable');
      expect(slow.ms).toBeGreaterThanOrEqual(390);
    }
    // refused once: degraded, a silent broker is given the short deadline
    answer = 'unavailable';
    expect((await timed()).outcome).toBe('unavailable');
    answer = 'silent';
    const second = await timed();
    expect(second.outcome).toBe('unavailable');
    expect(second.ms).toBeLessThan(300);
    // a success ends it: the full deadline again
    answer = 'ok';
    expect((await timed()).outcome).toBe('ok');
    answer = 'silent';
    expect((await timed()).ms).toBeGreaterThanOrEqual(390);
    // as does a business error (the broker answered)
    answer = 'unavailable';
    await timed();
    answer = 'business';
    expect((await timed()).outcome).toBe('other');
    answer = 'silent';
    expect((await timed()).ms).toBeGreaterThanOrEqual(390);
  });

  test('back-pressure is asked again within the deadline, and does not make the broker degraded', async () => {
    const busy = () => Promise.reject(Object.assign(new Error('8 RESOURCE_EXHAUSTED: Expected to execute the command on one of the partitions, but all failed'), { code: 8 }));
    let refusals = 3;
    const calls: number[] = [];
    const create = () => {
      calls.push(Date.now());
      return refusals-- > 0 ? busy() : Promise.resolve({ processInstanceKey: '7' } as never);
    };
    const api = boundedZeebe(zeebe({ createProcessInstance: create }), 1000, { degradedDeadlineMs: 500, backPressurePauseMs: 10 });
    await expect(api.createProcessInstance({ bpmnProcessId: 'p', variables: {} })).resolves.toEqual({ processInstanceKey: '7' });
    expect(calls).toHaveLength(4);
    // busy for longer: 503 once the short deadline has passed, not the full one
    const alwaysBusy = boundedZeebe(zeebe({ createProcessInstance: busy, publishMessage: never }), 1000, { degradedDeadlineMs: 100, backPressurePauseMs: 10 });
    const started = Date.now();
    await expect(alwaysBusy.createProcessInstance({ bpmnProcessId: 'p', variables: {} })).rejects.toBeInstanceOf(ComponentUnavailableError);
    expect(Date.now() - started).toBeLessThan(500);
    // and not degraded: a slow answer afterwards is given the full deadline
    const slowStarted = Date.now();
    await expect(alwaysBusy.publishMessage({ name: 'm', correlationKey: 'k', variables: {} })).rejects.toBeInstanceOf(ComponentUnavailableError);
    expect(Date.now() - slowStarted).toBeGreaterThanOrEqual(990);
  });

  test('the SDK resolving null (its channel closing) is not taken for an answer', async () => {
    const closing = boundedZeebe(zeebe({ publishMessage: () => Promise.resolve(null as never) }), 1000);
    await expect(closing.publishMessage({ name: 'm', correlationKey: 'k', variables: {} })).rejects.toBeInstanceOf(ComponentUnavailableError);
  });
});

describe('boundedPool', () => {
  /** A pg pool stand-in: `connect` resolves a client after `delayMs`, or rejects with `failure`. */
  function fakePool(behaviour: { delayMs?: number; failure?: Error }) {
    const stats = { connects: 0, released: 0 };
    const pool = {
      options: {},
      end: () => Promise.resolve(),
      connect: async () => {
        stats.connects += 1;
        if (behaviour.failure) throw behaviour.failure;
        await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs ?? 0));
        return Object.assign(new EventEmitter(), { release: () => void (stats.released += 1) });
      },
    };
    return { pool: pool as unknown as pg.Pool, stats };
  }

  test('callers beyond max wait for a released connection', async () => {
    const { pool, stats } = fakePool({});
    const bounded = boundedPool(pool, { max: 2, waitMs: 1000 });
    const a = await bounded.connect();
    await bounded.connect();
    const third = bounded.connect();
    setTimeout(() => a.release(), 20);
    await expect(third).resolves.toBeDefined();
    expect(stats.connects).toBe(3);
  });

  test('a caller that waits too long is told the database is busy, not down', async () => {
    const { pool } = fakePool({});
    const bounded = boundedPool(pool, { max: 1, waitMs: 30 });
    await bounded.connect();
    await expect(bounded.connect()).rejects.toBeInstanceOf(DatabaseBusyError);
  });

  test('a refused connection fails the waiting callers at once and the next ones for a second', async () => {
    let now = 0;
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const { pool, stats } = fakePool({ failure: refused });
    const bounded = boundedPool(pool, { max: 1, waitMs: 60_000, now: () => now });
    await expect(bounded.connect()).rejects.toThrow('ECONNREFUSED');
    await expect(bounded.connect()).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(stats.connects).toBe(1);
    now = 1001;
    await expect(bounded.connect()).rejects.toThrow('ECONNREFUSED');
    expect(stats.connects).toBe(2);
  });
});
