/**
 * `npm run bench:capacity`: what one dossier costs in storage and work, the figures the README's
 * capacity plan multiplies by a province's and the nation's volumes. One JSON line per figure on
 * stdout (`{"bench": name, "value": number, "unit": unit}`), progress on stderr.
 *
 * It runs bench:flow's driver once (./flow.ts, measureFlow: the API, the workers and the
 * simulators as processes of their own on a fresh database and a broker of the bench's own;
 * DOSSIERS VNeID requests after WARMUP, each worked by the scripted officers to the returned
 * certificate), and reads around it:
 * - **PostgreSQL**, before the first intake and once every dossier is returned: each table's size
 *   (`pg_table_size`: heap, TOAST, free-space and visibility maps) and its indexes'
 *   (`pg_indexes_size`), the partitions of `steps`, `audit` and `alerts` counted under their
 *   table, and its rows. The growth over the run divided by the dossiers run (warm-up included):
 *   `capacity.pg_bytes_per_dossier` as written (the dead versions of updated rows included), then,
 *   after `VACUUM FULL` (every table rewritten without them), `capacity.pg_bytes_per_dossier_compact`
 *   and per table `capacity.pg_table_bytes_per_dossier.<table>`,
 *   `capacity.pg_index_bytes_per_dossier.<table>`, `capacity.rows_per_dossier.<table>` (tables
 *   not named are summed under `other`).
 * - **Zeebe**, the broker's journal counters (`/actuator/prometheus`: `journal_append_data_rate`,
 *   KiB appended, and `journal_append_rate`, entries), summed over its partitions:
 *   `capacity.zeebe_log_bytes_per_dossier` and `capacity.zeebe_log_entries_per_dossier`. One
 *   partition, replication factor 1: with replication factor 3 every byte is written on three
 *   brokers. The log is compacted after each snapshot (every 5 minutes here), so this is the
 *   write volume, not what stays on disk.
 * - the work per dossier, as bench:flow measures it over the same dossiers (warm-up left out):
 *   `capacity.sql_statements_per_dossier`, `capacity.cpu_ms_per_dossier.<process>` and their sum
 *   over the processes a deployment runs (`.product`: API, workers, Zeebe, PostgreSQL; not the
 *   simulators and the bench's driver), and the rate of the run, `capacity.dossiers_per_s`.
 * Settings (full / small mode): BENCH_CAPACITY_DOSSIERS (1,000 / 40), BENCH_CAPACITY_WARMUP (20 / 5).
 */
import { sql } from 'kysely';
import type { Db } from '../../server/db';
import { withOwnBroker, type OwnBroker } from './broker';
import { measureFlow, prepareBench } from './flow';
import { figureOutput, progressOf, runBench, setting, withStack } from './support';

/** The tables named in the figures; every other table of the schema is summed under `other`. */
const TABLES = [
  'dossiers',
  'steps',
  'step_ids',
  'tasks',
  'audit',
  'declarations',
  'intake_receipts',
  'police_requests',
  'partner_signatures',
  'alerts',
  'alert_ids',
  'sessions',
  'other',
] as const;
type Table = (typeof TABLES)[number];
const PROCESSES = ['api', 'workers', 'simulators', 'bench', 'zeebe', 'postgres'] as const;
/** What a deployment runs: the product's processes, the broker and the database. */
const PRODUCT: readonly string[] = ['api', 'workers', 'zeebe', 'postgres'];

export const FIGURES = [
  'capacity.dossiers',
  'capacity.dossiers_per_s',
  'capacity.pg_bytes_per_dossier',
  'capacity.pg_bytes_per_dossier_compact',
  'capacity.pg_table_bytes_per_dossier_compact',
  'capacity.pg_index_bytes_per_dossier_compact',
  ...TABLES.flatMap((t) => [`capacity.pg_table_bytes_per_dossier.${t}`, `capacity.pg_index_bytes_per_dossier.${t}`, `capacity.rows_per_dossier.${t}`]),
  'capacity.zeebe_log_bytes_per_dossier',
  'capacity.zeebe_log_entries_per_dossier',
  'capacity.sql_statements_per_dossier',
  ...PROCESSES.map((p) => `capacity.cpu_ms_per_dossier.${p}`),
  'capacity.cpu_ms_per_dossier.product',
];

const DOSSIERS = setting('BENCH_CAPACITY_DOSSIERS', 1000, 40);
const WARMUP = setting('BENCH_CAPACITY_WARMUP', 20, 5);
const progress = progressOf('bench:capacity');

/** Bytes of a table (heap and TOAST) and of its indexes, and its rows. */
interface TableSize {
  table: number;
  indexes: number;
  rows: number;
}
type Sizes = Map<Table, TableSize>;

const BENCH_QUERY = '/* bench:capacity */';

/** Every table of the schema, its partitions counted under it, grouped as TABLES names them. */
async function tableSizes(db: Db): Promise<Sizes> {
  const { rows } = await sql<{ name: string; table: string; indexes: string }>`
    ${sql.raw(BENCH_QUERY)}
    SELECT coalesce(parent.relname, c.relname) AS name, sum(pg_table_size(c.oid)) AS table, sum(pg_indexes_size(c.oid)) AS indexes
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
    LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
    LEFT JOIN pg_class parent ON parent.oid = i.inhparent
    WHERE c.relkind = 'r'
    GROUP BY 1`.execute(db);
  const sizes: Sizes = new Map(TABLES.map((t) => [t, { table: 0, indexes: 0, rows: 0 }]));
  for (const row of rows) {
    const name: Table = (TABLES as readonly string[]).includes(row.name) ? (row.name as Table) : 'other';
    const size = sizes.get(name)!;
    size.table += Number(row.table);
    size.indexes += Number(row.indexes);
    const counted = await sql<{ n: string }>`${sql.raw(BENCH_QUERY)} SELECT count(*) AS n FROM ${sql.table(row.name)}`.execute(db);
    size.rows += Number(counted.rows[0]?.n ?? 0);
  }
  return sizes;
}

const total = (sizes: Sizes, part: 'table' | 'indexes' | 'both'): number =>
  [...sizes.values()].reduce((sum, s) => sum + (part === 'indexes' ? 0 : s.table) + (part === 'table' ? 0 : s.indexes), 0);

/** The broker's journal counters, summed over its partitions: bytes and entries appended so far. */
async function journalAppended(broker: OwnBroker): Promise<{ bytes: number; entries: number }> {
  const response = await fetch(`${broker.env.ZEEBE_MANAGEMENT_URL}/actuator/prometheus`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`the broker's metrics: HTTP ${response.status}`);
  const text = await response.text();
  const sum = (metric: string): number => {
    const pattern = new RegExp(`^\\w*${metric}(?:_total)?(?:\\{[^}]*\\})?\\s+(\\S+)$`, 'gm');
    const values = [...text.matchAll(pattern)].map((m) => Number(m[1]));
    if (values.length === 0) throw new Error(`the broker's metrics have no ${metric}`);
    return values.reduce((a, b) => a + b, 0);
  };
  return { bytes: sum('journal_append_data_rate') * 1024, entries: sum('journal_append_rate') };
}

/** What the probe read around the flow. */
interface Readings {
  before?: { sizes: Sizes; journal: { bytes: number; entries: number } };
  written?: number;
  journal?: { bytes: number; entries: number };
  compact?: Sizes;
}

/** Reads the sizes before the first intake, and after the last dossier (as written, then compacted). */
function probeOf(broker: OwnBroker, readings: Readings): { before(db: Db): Promise<void>; after(db: Db): Promise<void> } {
  return {
    async before(db) {
      readings.before = { sizes: await tableSizes(db), journal: await journalAppended(broker) };
    },
    async after(db) {
      const journal = await journalAppended(broker);
      readings.journal = { bytes: journal.bytes - readings.before!.journal.bytes, entries: journal.entries - readings.before!.journal.entries };
      readings.written = total(await tableSizes(db), 'both') - total(readings.before!.sizes, 'both');
      progress(`  as written: ${(readings.written / 1048576).toFixed(1)} MB more in PostgreSQL; VACUUM FULL…`);
      await sql`${sql.raw(BENCH_QUERY)} VACUUM FULL`.execute(db);
      readings.compact = await tableSizes(db);
    },
  };
}

function emitResults(readings: Readings, dossiers: number, flow: Awaited<ReturnType<typeof measureFlow>>): void {
  const out = figureOutput<string>(FIGURES);
  const before = readings.before!.sizes;
  const compact = readings.compact!;
  const per = (value: number): number => value / dossiers;
  out.emit('capacity.dossiers', dossiers, 'dossiers');
  out.emit('capacity.dossiers_per_s', flow.perSecond, 'dossiers/s');
  out.emit('capacity.pg_bytes_per_dossier', per(readings.written!), 'bytes');
  out.emit('capacity.pg_bytes_per_dossier_compact', per(total(compact, 'both') - total(before, 'both')), 'bytes');
  out.emit('capacity.pg_table_bytes_per_dossier_compact', per(total(compact, 'table') - total(before, 'table')), 'bytes');
  out.emit('capacity.pg_index_bytes_per_dossier_compact', per(total(compact, 'indexes') - total(before, 'indexes')), 'bytes');
  for (const table of TABLES) {
    const [b, a] = [before.get(table)!, compact.get(table)!];
    out.emit(`capacity.pg_table_bytes_per_dossier.${table}`, per(a.table - b.table), 'bytes');
    out.emit(`capacity.pg_index_bytes_per_dossier.${table}`, per(a.indexes - b.indexes), 'bytes');
    out.emit(`capacity.rows_per_dossier.${table}`, per(a.rows - b.rows), 'rows');
  }
  out.emit('capacity.zeebe_log_bytes_per_dossier', per(readings.journal!.bytes), 'bytes');
  out.emit('capacity.zeebe_log_entries_per_dossier', per(readings.journal!.entries), 'entries');
  out.emit('capacity.sql_statements_per_dossier', flow.statements, 'statements');
  for (const name of PROCESSES) out.emit(`capacity.cpu_ms_per_dossier.${name}`, flow.cpu.get(name) ?? 0, 'ms');
  const product = PRODUCT.reduce((sum, name) => sum + (flow.cpu.get(name) ?? 0), 0);
  out.emit('capacity.cpu_ms_per_dossier.product', product, 'ms');
}

async function main(): Promise<void> {
  await withStack('bench:capacity', ['postgres', 'mailpit'], () =>
    withOwnBroker('capacity', async (broker) => {
      const { bench, ids } = await prepareBench(broker);
      progress(`${DOSSIERS} dossiers (after ${WARMUP} for warm-up), ${ids.nationalProcessId} → ${ids.internalProcessId}`);
      const readings: Readings = {};
      const flow = await measureFlow(bench, 1, { dossiers: DOSSIERS, warmup: WARMUP, probe: probeOf(broker, readings) });
      emitResults(readings, DOSSIERS + WARMUP, flow);
    }),
  );
}

runBench('bench:capacity', module, main);
