/**
 * Query plans checked by the benchmarks: a Kysely log hook records every distinct statement an
 * operation runs (with its parameters), then each is EXPLAINed and every sequential scan of a
 * large table is counted and printed with the operation that ran it. A scan that the planner
 * expects to return a large share of the table (`wideShare`, e.g. a week's dossiers when the
 * data hold two weeks) is the right plan, not a missing index: it is counted apart.
 */
import { sql } from 'kysely';
import type { Db } from '../../server/db';

interface Statement {
  operation: string;
  sql: string;
  parameters: readonly unknown[];
}

/** Every distinct statement the operations ran, with the operation that ran it first. */
export class Recorder {
  operation = 'setup';
  readonly statements = new Map<string, Statement>();
  record = (statement: { sql: string; parameters: readonly unknown[] }): void => {
    if (!this.statements.has(statement.sql)) this.statements.set(statement.sql, { operation: this.operation, ...statement });
  };
  async during<T>(operation: string, work: () => Promise<T>): Promise<T> {
    this.operation = operation;
    try {
      return await work();
    } finally {
      this.operation = 'setup';
    }
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Plan Rows'?: number;
  'Workers Planned'?: number;
  'Parallel Aware'?: boolean;
  Plans?: PlanNode[];
}

interface AccessPath {
  node: PlanNode;
  /** Rows the planner expects from it, all parallel workers together. */
  rows: number;
}

function accessPaths(node: PlanNode, out: AccessPath[] = [], workers = 0): AccessPath[] {
  const planned = node['Workers Planned'] ?? workers;
  // a parallel node's rows are per process: PostgreSQL divides by the workers and the leader's share
  const divisor = node['Parallel Aware'] ? planned + Math.max(0, 1 - 0.3 * planned) : 1;
  if (node['Relation Name']) out.push({ node, rows: (node['Plan Rows'] ?? 0) * divisor });
  for (const child of node.Plans ?? []) accessPaths(child, out, planned);
  return out;
}

export interface PlanCheck {
  /** Sequential scans of a large table that the planner expects to return less than `wideShare` of it. */
  offenders: number;
  /** Sequential scans of a large table that return at least `wideShare` of it. */
  wide: number;
}

export async function explainAll(db: Db, recorder: Recorder, progress: (line: string) => void, largeTableRows: number, wideShare = Infinity): Promise<PlanCheck> {
  const sizes = new Map(
    (await sql<{ relname: string; rows: number }>`SELECT relname, reltuples::bigint AS rows FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`.execute(db)).rows.map((r) => [r.relname, Number(r.rows)]),
  );
  let offenders = 0;
  let wide = 0;
  const plain = db.withoutPlugins();
  for (const statement of recorder.statements.values()) {
    if (!/^\s*(select|insert|update|delete|with)\b/i.test(statement.sql) || statement.operation === 'setup') continue;
    const compiled = sql.raw(statement.sql);
    const result = await plain.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({ ...sql`EXPLAIN (FORMAT JSON) ${compiled}`.compile(plain), parameters: statement.parameters });
    const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
    if (!plan) continue;
    const paths = accessPaths(plan);
    const size = (p: AccessPath): number => sizes.get(p.node['Relation Name'] ?? '') ?? 0;
    const scans = paths.filter((p) => p.node['Node Type'] === 'Seq Scan' && size(p) > largeTableRows);
    const wideScans = scans.filter((p) => p.rows >= wideShare * size(p)).length;
    offenders += scans.length - wideScans;
    wide += wideScans;
    const described = paths.map((p) => {
      const index = p.node['Index Name'] ? ` using ${p.node['Index Name']}` : '';
      return `${p.node['Node Type']}${index} on ${p.node['Relation Name']} (${size(p)} rows, ${Math.round(p.rows)} expected)`;
    });
    const tag = scans.length > wideScans ? 'SEQ SCAN ' : wideScans ? 'WIDE SCAN ' : '';
    progress(`${tag}${statement.operation}: ${statement.sql.replace(/\s+/g, ' ').slice(0, 110)}…\n    ${described.join('\n    ') || '(no table)'}`);
  }
  return { offenders, wide };
}

