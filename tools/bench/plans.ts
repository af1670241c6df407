/**
 * Query plans checked by the benchmarks: a Kysely log hook records every distinct statement an
 * operation runs (with its parameters), then each is EXPLAINed and every sequential scan of a
 * large table is counted and printed with the operation that ran it.
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
  Plans?: PlanNode[];
}

function accessPaths(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  if (node['Relation Name']) out.push(node);
  for (const child of node.Plans ?? []) accessPaths(child, out);
  return out;
}

export async function explainAll(db: Db, recorder: Recorder, progress: (line: string) => void, largeTableRows: number): Promise<number> {
  const sizes = new Map(
    (await sql<{ relname: string; rows: number }>`SELECT relname, reltuples::bigint AS rows FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`.execute(db)).rows.map((r) => [r.relname, Number(r.rows)]),
  );
  let offenders = 0;
  const plain = db.withoutPlugins();
  for (const statement of recorder.statements.values()) {
    if (!/^\s*(select|insert|update|delete|with)\b/i.test(statement.sql) || statement.operation === 'setup') continue;
    const compiled = sql.raw(statement.sql);
    const result = await plain.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({ ...sql`EXPLAIN (FORMAT JSON) ${compiled}`.compile(plain), parameters: statement.parameters });
    const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
    if (!plan) continue;
    const paths = accessPaths(plan);
    const bad = paths.filter((p) => p['Node Type'] === 'Seq Scan' && (sizes.get(p['Relation Name'] ?? '') ?? 0) > largeTableRows);
    offenders += bad.length;
    const described = paths.map((p) => `${p['Node Type']}${p['Index Name'] ? ` using ${p['Index Name']}` : ''} on ${p['Relation Name']} (${sizes.get(p['Relation Name'] ?? '') ?? 0} rows)`);
    progress(`${bad.length ? 'SEQ SCAN ' : ''}${statement.operation}: ${statement.sql.replace(/\s+/g, ' ').slice(0, 110)}…\n    ${described.join('\n    ') || '(no table)'}`);
  }
  return offenders;
}

