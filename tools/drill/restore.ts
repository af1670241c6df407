/**
 * `npm run drill:restore`: a backup taken while the product works, restored to a new stack, and
 * the restored pair checked: every open dossier of the read model has its process instance in
 * the broker, every instance the broker holds belongs to the dossier bound to it, and every
 * request the one-stop partner had an answer for is there. One JSON line per figure on stdout,
 * as the benches print them (`{"bench", "value", "unit"}`); progress on stderr; exit 1 when a
 * dossier is lost or an instance is an orphan.
 *
 * 1. Stack A (tools/drill/stack.ts: its own folder under LLTP_RUN_DIR/drill, its own ports),
 *    PostgreSQL archiving every WAL segment to `drill/backup/wal` (archive_command), the models
 *    deployed, the product (API, workers, simulators) started, the load (./load.ts) running.
 * 2. Backup, under load: `pg_basebackup` (plain format, WAL from the archive), then the broker's
 *    cold copy: Zeebe 8.5's backup API needs S3, GCS or Azure (its filesystem store came in 8.6),
 *    none of which runs here, so the broker is stopped, `pg_create_restore_point` names the
 *    instant (every command the broker took is older; a binding PostgreSQL had not yet written
 *    is made again by the first job's worker), the broker's data folder is copied and the broker
 *    started again. The intakes answered 503 meanwhile are sent again by the load.
 * 3. The load runs on for LOAD_AFTER_S, then stack A and the product are stopped.
 * 4. Restore to stack B (a new folder): the base backup with `recovery.signal`, the archived WAL
 *    replayed to the restore point (`recovery_target_name`, then promoted), the broker's copy as
 *    its data folder; drill.restore_s runs from the first copy to both healthy (PostgreSQL out
 *    of recovery).
 * 5. The product started on B; the requests answered after the recovery point sent again (the
 *    operator's step after a restore: intake is idempotent by receipt number); the workers given
 *    SETTLE_S to bind the dossiers whose binding came after the point.
 * 6. The check. An instance is alive when the broker takes an empty variable update on it (the
 *    only question the gateway of 8.5 answers about an instance by its key). drill.lost: open
 *    VNeID dossiers without an alive bound instance, plus answered receipts without a dossier;
 *    drill.orphans: alive instances (of every key A and B ever bound) that no dossier of B is
 *    bound to, duplicates included.
 *
 * Settings: DRILL_CONCURRENCY (4 intakes at once), DRILL_LOAD_BEFORE_S (8), DRILL_LOAD_AFTER_S
 * (8), DRILL_SETTLE_S (90, the longest wait for the bindings), LLTP_DRILL_PORT_OFFSET (5000);
 * DRILL_POINT_LATE (0) names the recovery point once that many requests have been answered after
 * the broker's copy, a pair out of step, to see the check fail.
 * The lock of the shared stack (/tmp/lltp-stack.lock) is held by the npm script (flock): the
 * drill's two brokers would slow the integration tests of others past their time-outs.
 */
import { chmodSync, cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { deployProcesses } from '../../processes/deploy';
import { loadConfig } from '../../server/config';
import { createZeebeClient, type ZeebeGrpcClient } from '../../server/zeebe';
import { startProduct, type ProductPlace, type RunningProduct } from '../bench/product';
import { benchLogger, figureOutput, progressOf, RUN_DIR, runBench, runId, secondsSince, setting } from '../bench/support';
import { judge, type BoundDossier, type Verdict } from './judge';
import { IntakeLoad, type SentRequest } from './load';
import { asPostgres, drillStack, giveToPostgres, pgBin, type DrillStack } from './stack';

export const FIGURES = ['drill.restore_s', 'drill.lost', 'drill.orphans', 'drill.dossiers', 'drill.resent'] as const;

const CONCURRENCY = setting('DRILL_CONCURRENCY', 4, 4);
const LOAD_BEFORE_S = setting('DRILL_LOAD_BEFORE_S', 8, 8);
const LOAD_AFTER_S = setting('DRILL_LOAD_AFTER_S', 8, 8);
const SETTLE_S = setting('DRILL_SETTLE_S', 90, 90);
const POINT_LATE = setting('DRILL_POINT_LATE', 0, 0);
const DRILL_DIR = path.join(RUN_DIR, 'drill');
const BACKUP = { wal: path.join(DRILL_DIR, 'backup/wal'), base: path.join(DRILL_DIR, 'backup/base'), zeebe: path.join(DRILL_DIR, 'backup/zeebe-data') };
const PLACE: ProductPlace = { apiPort: 3960, simulatorBasePort: 4960, logTag: 'drill' };
/** Jobs a worker of the dead stack held come back soon on the restored broker. */
const PRODUCT_ENV = { WORKER_JOB_TIMEOUT_MS: '10000' };

const out = figureOutput(FIGURES);
const progress = progressOf('drill:restore');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function query<R>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as R[];
  } finally {
    await client.end();
  }
}

async function withZeebe<T>(stack: DrillStack, work: (zeebe: ZeebeGrpcClient) => Promise<T>): Promise<T> {
  const { camunda, zeebe } = createZeebeClient(loadConfig({ ...process.env, ...stack.productEnv, LOG_LEVEL: 'warn' }));
  try {
    return await work(zeebe);
  } finally {
    await camunda.closeAllClients();
  }
}

function prepareFolders(): void {
  rmSync(DRILL_DIR, { recursive: true, force: true });
  for (const dir of Object.values(BACKUP)) mkdirSync(dir, { recursive: true });
  giveToPostgres(DRILL_DIR);
}

/** The archive_command of stack A: every finished WAL segment copied once into the archive. */
const archiving = (): string => `-c wal_level=replica -c archive_mode=on -c archive_command='test ! -f ${BACKUP.wal}/%f && cp %p ${BACKUP.wal}/%f'`;

async function startOriginal(a: DrillStack): Promise<RunningProduct> {
  a.stack(['up'], archiving());
  await withZeebe(a, (zeebe) => deployProcesses(zeebe, benchLogger()));
  return startProduct(a.databaseUrl, { ...a.productEnv, ...PRODUCT_ENV }, ['simulators', 'api', 'workers'], PLACE);
}

/** Names the recovery point in the WAL and has its segment archived; resolves with its instant (`performance.now()`). */
async function namePoint(a: DrillStack, pointName: string): Promise<{ at: number; segment: string }> {
  const at = performance.now();
  const [row] = await query<{ segment: string }>(a.databaseUrl, 'SELECT pg_walfile_name(pg_create_restore_point($1)) AS segment', [pointName]);
  await query(a.databaseUrl, 'SELECT pg_switch_wal()');
  return { at, segment: row?.segment ?? '' };
}

/**
 * The broker stopped, the recovery point named, the data folder copied, the broker started
 * again. With POINT_LATE the point is named once that many more requests have been answered on
 * the restarted broker: the read model then holds bindings to instances the broker's copy lacks,
 * a pair out of step, and the check must fail.
 */
async function coldCopyOfBroker(a: DrillStack, pointName: string, load: IntakeLoad): Promise<number> {
  const started = performance.now();
  a.stack(['stop', 'zeebe']);
  const point = POINT_LATE === 0 ? await namePoint(a, pointName) : null;
  cpSync(path.join(a.run, 'zeebe-data'), BACKUP.zeebe, { recursive: true });
  a.stack(['start', 'zeebe']);
  progress(`broker copied (stopped for ${secondsSince(started).toFixed(1)} s)`);
  if (!point) {
    const target = load.answered() + POINT_LATE;
    while (load.answered() < target) await sleep(100);
  }
  const { at, segment } = point ?? (await namePoint(a, pointName));
  await waitArchived(a, segment);
  progress(`restore point ${pointName} in WAL segment ${segment}${point ? '' : `, ${POINT_LATE} requests answered after the broker's copy (DRILL_POINT_LATE)`}`);
  return at;
}

async function waitArchived(a: DrillStack, segment: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const [row] = await query<{ last: string | null }>(a.databaseUrl, 'SELECT last_archived_wal AS last FROM pg_stat_archiver');
    if (row?.last && row.last >= segment) return;
    await sleep(100);
  }
  throw new Error(`WAL segment ${segment} not archived after 60 s`);
}

/** Both backups, taken while the load runs; resolves with the recovery point's instant (`performance.now()`). */
async function takeBackups(a: DrillStack, pointName: string, load: IntakeLoad): Promise<number> {
  const started = performance.now();
  asPostgres(path.join(pgBin(), 'pg_basebackup'), ['-h', '127.0.0.1', '-p', new URL(a.databaseUrl).port, '-U', 'lltp', '-D', BACKUP.base, '-Fp', '-X', 'none', '-c', 'fast']);
  progress(`base backup taken in ${secondsSince(started).toFixed(1)} s`);
  return coldCopyOfBroker(a, pointName, load);
}

/** Stack B from the backups: PostgreSQL replays the archive to the restore point; the broker starts on its copy. */
function restoreTo(b: DrillStack, pointName: string): void {
  const data = path.join(b.run, 'postgres-data');
  mkdirSync(b.run, { recursive: true });
  cpSync(BACKUP.base, data, { recursive: true });
  chmodSync(data, 0o700);
  // the socket's lock file (stack.sh puts the socket in the data folder) came with the backup
  for (const name of readdirSync(data)) if (name.startsWith('.s.PGSQL.')) rmSync(path.join(data, name));
  writeFileSync(path.join(data, 'recovery.signal'), '');
  giveToPostgres(b.run);
  cpSync(BACKUP.zeebe, path.join(b.run, 'zeebe-data'), { recursive: true });
  const recovery = `-c restore_command='cp ${BACKUP.wal}/%f %p' -c recovery_target_name=${pointName} -c recovery_target_action=promote`;
  b.stack(['up'], recovery);
}

async function waitPromoted(b: DrillStack): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const [row] = await query<{ recovering: boolean }>(b.databaseUrl, 'SELECT pg_is_in_recovery() AS recovering');
    if (row && !row.recovering) return;
    await sleep(100);
  }
  throw new Error('PostgreSQL of the restored stack still in recovery after 120 s');
}

// --- the check -------------------------------------------------------------------------------

const boundDossiers = (url: string): Promise<BoundDossier[]> =>
  query<BoundDossier>(url, "SELECT code, receipt_number AS receipt, status, process_instance_key AS key FROM dossiers WHERE source = 'vneid'");

/** Whether the broker holds the instance: it takes an empty variable update on it, or answers NOT_FOUND. */
async function alive(zeebe: ZeebeGrpcClient, key: string): Promise<boolean> {
  try {
    await zeebe.setVariables({ elementInstanceKey: key, variables: {}, local: true });
    return true;
  } catch (error) {
    if (/NOT_FOUND/i.test((error as Error).message)) return false;
    throw error;
  }
}

/** Waits (at most SETTLE_S) until every open VNeID dossier of B is bound to an instance. */
async function settle(b: DrillStack): Promise<void> {
  const started = performance.now();
  for (;;) {
    const [row] = await query<{ n: string }>(b.databaseUrl, "SELECT count(*) AS n FROM dossiers WHERE source = 'vneid' AND status = 'open' AND process_instance_key IS NULL");
    const unbound = Number(row?.n ?? 0);
    if (unbound === 0) return progress(`every open dossier bound after ${secondsSince(started).toFixed(1)} s`);
    if (secondsSince(started) > SETTLE_S) return progress(`${unbound} open dossier(s) still unbound after ${SETTLE_S} s`);
    await sleep(500);
  }
}

/** A key of partition 1 far past any the drill's broker issues: the broker must answer NOT_FOUND. */
const UNKNOWN_KEY = String((1n << 51n) + (1n << 50n));

/** The keys among `keys` whose instance the broker of `stack` holds. */
async function livingAmong(stack: DrillStack, keys: Iterable<string>): Promise<Set<string>> {
  return withZeebe(stack, async (zeebe) => {
    if (await alive(zeebe, UNKNOWN_KEY)) throw new Error(`the broker takes a variable update on the unknown key ${UNKNOWN_KEY}: the check cannot tell`);
    const found = new Set<string>();
    for (const key of keys) if (await alive(zeebe, key)) found.add(key);
    return found;
  });
}

const keysOf = (dossiers: readonly BoundDossier[]): string[] => dossiers.flatMap((d) => (d.key ? [d.key] : []));

/** Before the product ran on B: the keys B's read model had bound, and those of them or of A's the broker held. */
interface AtRestore {
  bound: Set<string>;
  living: Set<string>;
  asked: number;
}

/**
 * Before the product runs on B: which of the keys A or B's read model bound the restored broker
 * holds. Asked before B issues a key of its own: a restored broker hands out again the keys its
 * copy had not yet issued, so afterwards a key bound past the copy may name another instance.
 */
async function livingAtRestore(b: DrillStack, keysOfA: readonly BoundDossier[]): Promise<AtRestore> {
  const bound = new Set(keysOf(await boundDossiers(b.databaseUrl)));
  const asked = new Set([...keysOf(keysOfA), ...bound]);
  return { bound, living: await livingAmong(b, asked), asked: asked.size };
}

/**
 * The restored pair after the product ran on it: an instance counts as held when the broker holds
 * it now and, if B's read model had bound it before the product ran, held it then too (a key
 * bound on B since was issued by B or held at the restore).
 */
async function check(b: DrillStack, atRestore: AtRestore, sent: readonly SentRequest[]): Promise<Verdict & { dossiers: number }> {
  const restored = await boundDossiers(b.databaseUrl);
  const now = await livingAmong(b, new Set([...atRestore.living, ...keysOf(restored)]));
  const living = new Set([...now].filter((key) => atRestore.living.has(key) || !atRestore.bound.has(key)));
  const answered = sent.flatMap((s) => (s.answeredAt === null ? [] : [s.receiptNumber]));
  return { ...judge(restored, living, answered), dossiers: restored.length };
}

// --- the drill -------------------------------------------------------------------------------

/** Stack A under load, both backups taken meanwhile; returns what the check needs of A. */
async function original(a: DrillStack, load: IntakeLoad, pointName: string): Promise<{ pointAt: number; keysOfA: BoundDossier[] }> {
  const product = await startOriginal(a);
  try {
    load.start(product.config.PUBLIC_BASE_URL, CONCURRENCY);
    await sleep(LOAD_BEFORE_S * 1000);
    const pointAt = await takeBackups(a, pointName, load);
    await sleep(LOAD_AFTER_S * 1000);
    await load.stop();
    const keysOfA = await boundDossiers(a.databaseUrl);
    progress(`stack A: ${load.sent.length} requests answered (${load.resent} answers 503 sent again), ${keysOfA.length} dossiers`);
    return { pointAt, keysOfA };
  } finally {
    await load.stop();
    await product.stop();
    a.stack(['down']);
  }
}

/** Stack B restored, the product on it, the later requests sent again, the pair checked. */
async function restored(b: DrillStack, load: IntakeLoad, pointName: string, pointAt: number, keysOfA: BoundDossier[]): Promise<Verdict & { dossiers: number }> {
  const started = performance.now();
  restoreTo(b, pointName);
  await waitPromoted(b);
  out.emit('drill.restore_s', secondsSince(started), 's');
  const atRestore = await livingAtRestore(b, keysOfA);
  progress(`stack B: the broker holds ${atRestore.living.size} of the ${atRestore.asked} instances bound on A or B`);
  const product = await startProduct(b.databaseUrl, { ...b.productEnv, ...PRODUCT_ENV }, ['simulators', 'api', 'workers'], PLACE);
  try {
    const later = load.sent.filter((s) => s.answeredAt === null || s.answeredAt >= pointAt);
    progress(`stack B: sending again the ${later.length} requests answered after the recovery point`);
    await load.resend(product.config.PUBLIC_BASE_URL, later);
    out.emit('drill.resent', later.length, 'requests');
    await settle(b);
    return await check(b, atRestore, load.sent);
  } finally {
    await product.stop();
    b.stack(['down']);
  }
}

async function main(): Promise<void> {
  prepareFolders();
  const id = runId();
  const pointName = `drill_${id}`;
  const load = new IntakeLoad(`DRILL-${id}`);
  const a = drillStack('a', DRILL_DIR);
  const b = drillStack('b', DRILL_DIR);
  let verdict: Verdict & { dossiers: number };
  try {
    const { pointAt, keysOfA } = await original(a, load, pointName);
    verdict = await restored(b, load, pointName, pointAt, keysOfA);
  } finally {
    // whatever failed, no drill process outlives the drill (a stack already down is left alone)
    for (const stack of [a, b]) stack.stack(['down']);
  }
  out.emit('drill.lost', verdict.lost.length, 'dossiers');
  out.emit('drill.orphans', verdict.orphans.length, 'instances');
  out.emit('drill.dossiers', verdict.dossiers, 'dossiers');
  for (const line of [...verdict.lost, ...verdict.orphans].slice(0, 20)) progress(`  ${line}`);
  if (verdict.lost.length + verdict.orphans.length > 0) {
    progress(`FAILED: ${verdict.lost.length} lost, ${verdict.orphans.length} orphans (logs in ${DRILL_DIR}/*/logs and ${RUN_DIR}/logs/drill-*.log)`);
    process.exitCode = 1;
  } else {
    rmSync(DRILL_DIR, { recursive: true, force: true });
  }
}

runBench('drill:restore', module, main);
