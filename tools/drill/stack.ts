/**
 * The restore drill's throw-away stacks: tools/stack/stack.sh run with a folder, a PostgreSQL
 * port and a port offset of their own (LLTP_RUN_DIR=<run>/drill/<name>, DATABASE_URL on
 * DRILL_PG_PORT, LLTP_PORT_OFFSET), so that the shared stack's data and ports are never
 * touched; and the PostgreSQL commands the backup and the restore need (Debian's binaries, run
 * as the `postgres` user when the drill runs as root, as stack.sh runs the server).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const repo = path.resolve(__dirname, '../..');
const STACK = path.join(repo, 'tools/stack/stack.sh');

/**
 * Added to every port of the shared stack (PostgreSQL 10432; Zeebe 31500-31502, 14600, 13089;
 * Mailpit 6025, 13025): all below the kernel's ephemeral range (32768 and up), where a client's
 * outgoing connection may hold a port the broker then cannot bind.
 */
export const DRILL_PORT_OFFSET = Number(process.env.LLTP_DRILL_PORT_OFFSET ?? 5000);
export const DRILL_PG_PORT = 5432 + DRILL_PORT_OFFSET;

export interface DrillStack {
  name: string;
  /** Its LLTP_RUN_DIR: data, logs, pid files. */
  run: string;
  databaseUrl: string;
  /** For the product: the broker's addresses and the stack's Mailpit. */
  productEnv: { ZEEBE_GRPC_ADDRESS: string; ZEEBE_MANAGEMENT_URL: string; SMTP_URL: string };
  /** Runs `stack.sh <args>` on this stack; `pgOptions`: more `-c name=value` for its PostgreSQL. */
  stack(args: string[], pgOptions?: string): void;
}

export function drillStack(name: string, drillDir: string): DrillStack {
  const run = path.join(drillDir, name);
  const databaseUrl = `postgresql://lltp@127.0.0.1:${DRILL_PG_PORT}/lltp`;
  return {
    name,
    run,
    databaseUrl,
    productEnv: {
      ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${26500 + DRILL_PORT_OFFSET}`,
      ZEEBE_MANAGEMENT_URL: `http://127.0.0.1:${9600 + DRILL_PORT_OFFSET}`,
      SMTP_URL: `smtp://127.0.0.1:${1025 + DRILL_PORT_OFFSET}`,
    },
    stack(args, pgOptions = '') {
      const env = {
        ...process.env,
        LLTP_RUN_DIR: run,
        DATABASE_URL: databaseUrl,
        LLTP_PORT_OFFSET: String(DRILL_PORT_OFFSET),
        LLTP_PG_OPTIONS: pgOptions,
        LLTP_ZEEBE_CLOCK_OFFSET_MS: '0',
      };
      const done = spawnSync('bash', [STACK, ...args], { env, stdio: ['ignore', process.stderr, process.stderr] });
      if (done.status !== 0) throw new Error(`stack ${name}: stack.sh ${args.join(' ')} failed (exit ${done.status}; logs in ${run}/logs)`);
    },
  };
}

/** Debian's newest PostgreSQL binaries (/usr/lib/postgresql/<major>/bin), as stack.sh finds them. */
export function pgBin(): string {
  const majors = readdirSync('/usr/lib/postgresql').filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(a) - Number(b));
  const newest = majors.at(-1);
  if (!newest) throw new Error('PostgreSQL is not installed (run: bash tools/stack/stack.sh install)');
  return path.join('/usr/lib/postgresql', newest, 'bin');
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Runs a command as the owner of the clusters (the `postgres` user when the drill runs as root). */
export function asPostgres(command: string, args: string[]): void {
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const done = spawnSync(file, argv, { stdio: ['ignore', process.stderr, process.stderr] });
  if (done.status !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} failed (exit ${done.status})`);
}

/** Gives `dir` (recursively) to the clusters' owner, so that PostgreSQL may read and write it. */
export function giveToPostgres(dir: string): void {
  if (!isRoot()) return;
  const done = spawnSync('chown', ['-R', 'postgres:postgres', dir], { stdio: 'inherit' });
  if (done.status !== 0) throw new Error(`chown -R postgres ${dir} failed`);
}
