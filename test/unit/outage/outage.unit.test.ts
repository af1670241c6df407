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
    // regression (cluster fault suite): a task completed while its partition's leader was killed answered 500
    ['a broker killed under the gateway', Object.assign(new Error('13 INTERNAL: Unexpected error occurred during the request processing: Connection RemoteClientConnection{channel=[id: 0x3432ab8f, L:/127.0.0.1:33158 ! R:127.0.0.1/127.0.0.1:32511]} was closed'), { code: 13 }), 'zeebe'],
    ['another internal error of the gateway', Object.assign(new Error('13 INTERNAL: Unexpected error occurred during the request processing'), { code: 13 }), null],
    ['an SMTP connection error', Object.assign(new Error('Connection refused'), { code: 'ECONNECTION' }), 'smtp'],
    ['our own deadline', new ComponentUnavailableError('smtp', new Error('late')), 'smtp'],
    ['a business error from Zeebe', Object.assign(new Error('5 NOT_FOUND: job not found'), { code: 5 }), null],
    ['a constraint violation', Object.assign(new Error('duplicate key'), { code: '23505' }), null],
    ['a plain bug', new TypeError('x is undefined'), null],
  ] as const).map(([name, error, component]) => [name, component, error] as const))('%s → %s', (_case, component, error) => {
    expect(unavailableComponent(error)).toBe(component);
  });
});

/**
 * How long, on jest's fake clock, `promise` takes to settle and how: the clock is moved 1 ms at a
 * time (timers and Date.now() with it) until it settles, up to `limitMs`. Deadlines are then
 * checked exactly, whatever the load of the machine running the test.
 */
async function settles(promise: Promise<unknown>, limitMs = 5000): Promise<{ ms: number; outcome: 'resolved' | 'rejected' | 'pending'; value: unknown }> {
  let settled: { outcome: 'resolved' | 'rejected'; value: unknown } | null = null;
  promise.then(
    (value) => (settled = { outcome: 'resolved', value }),
    (value: unknown) => (settled = { outcome: 'rejected', value }),
  );
  let ms = 0;
  await jest.advanceTimersByTimeAsync(0);
  while (!settled && ms < limitMs) {
    await jest.advanceTimersByTimeAsync(1);
    ms += 1;
  }
  const result = settled as { outcome: 'resolved' | 'rejected'; value: unknown } | null;
  return { ms, outcome: result?.outcome ?? 'pending', value: result?.value };
}

describe('deadlines, on a fake clock', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('withDeadline: an answer in time passes through, a late one becomes the component unavailable at the deadline', async () => {
    expect(await settles(withDeadline('zeebe', 100, Promise.resolve(7)))).toEqual({ ms: 0, outcome: 'resolved', value: 7 });
    const late = new Promise((resolve) => setTimeout(resolve, 1000, 'late'));
    const cut = await settles(withDeadline('zeebe', 50, late));
    expect(cut).toMatchObject({ ms: 50, outcome: 'rejected' });
    expect(cut.value).toBeInstanceOf(ComponentUnavailableError);
    expect((cut.value as ComponentUnavailableError).component).toBe('zeebe');
  });

  const never = () => new Promise<never>(() => undefined);
  const zeebe = (overrides: Partial<ApiZeebe>): ApiZeebe =>
    ({ createProcessInstance: never, publishMessage: never, completeJob: never, cancelProcessInstance: never, ...overrides });
  const outcomeOf = (result: { outcome: string; value: unknown }): string =>
    result.outcome === 'resolved' ? 'ok' : result.value instanceof ComponentUnavailableError ? 'unavailable' : 'other';

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
      const result = await settles(api.createProcessInstance({ bpmnProcessId: 'p', variables: {} }));
      return { ms: result.ms, outcome: outcomeOf(result) };
    };
    // healthy and slow (a burst): the full deadline, again and again
    answer = 'silent';
    expect([await timed(), await timed()]).toEqual([{ ms: 400, outcome: 'unavailable' }, { ms: 400, outcome: 'unavailable' }]);
    // refused once: degraded, a silent broker is given the short deadline
    answer = 'unavailable';
    expect(await timed()).toEqual({ ms: 0, outcome: 'unavailable' });
    answer = 'silent';
    expect(await timed()).toEqual({ ms: 40, outcome: 'unavailable' });
    // a success ends it: the full deadline again
    answer = 'ok';
    expect(await timed()).toEqual({ ms: 0, outcome: 'ok' });
    answer = 'silent';
    expect(await timed()).toEqual({ ms: 400, outcome: 'unavailable' });
    // as does a business error (the broker answered)
    answer = 'unavailable';
    await timed();
    answer = 'business';
    expect((await timed()).outcome).toBe('other');
    answer = 'silent';
    expect(await timed()).toEqual({ ms: 400, outcome: 'unavailable' });
  });

  test('back-pressure is asked again within the deadline, and does not make the broker degraded', async () => {
    const busy = () => Promise.reject(Object.assign(new Error('8 RESOURCE_EXHAUSTED: Expected to execute the command on one of the partitions, but all failed'), { code: 8 }));
    let refusals = 3;
    let calls = 0;
    const create = () => {
      calls += 1;
      return refusals-- > 0 ? busy() : Promise.resolve({ processInstanceKey: '7' } as never);
    };
    const api = boundedZeebe(zeebe({ createProcessInstance: create }), 1000, { degradedDeadlineMs: 500, backPressurePauseMs: 10 });
    const retried = await settles(api.createProcessInstance({ bpmnProcessId: 'p', variables: {} }));
    expect(retried).toMatchObject({ outcome: 'resolved', value: { processInstanceKey: '7' } });
    expect(calls).toBe(4);
    // three pauses of 10, 20 and 40 ms, each shortened by up to half (jitter)
    expect(retried.ms).toBeGreaterThanOrEqual(35);
    expect(retried.ms).toBeLessThanOrEqual(70);
    // busy for longer: 503 before the short deadline has passed, not at the full one
    const alwaysBusy = boundedZeebe(zeebe({ createProcessInstance: busy, publishMessage: never }), 1000, { degradedDeadlineMs: 100, backPressurePauseMs: 10 });
    const refused = await settles(alwaysBusy.createProcessInstance({ bpmnProcessId: 'p', variables: {} }));
    expect(outcomeOf(refused)).toBe('unavailable');
    expect(refused.ms).toBeLessThan(100);
    // and not degraded: a slow answer afterwards is given the full deadline
    expect(await settles(alwaysBusy.publishMessage({ name: 'm', correlationKey: 'k', variables: {} })).then((r) => ({ ms: r.ms, outcome: outcomeOf(r) }))).toEqual({ ms: 1000, outcome: 'unavailable' });
  });
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
