/**
 * CPU time of the processes a benchmark runs, read from /proc (user + system time of every
 * thread). For PostgreSQL, the postmaster, its live backends and the backends that already ended
 * (their time is added to the postmaster's children time when it reaps them); other clients of
 * the same server are counted too. A process watched with others (`also`: a Zeebe cluster's brokers
 * and gateway) counts theirs with its own.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime, stime, cutime, cstime of a process (or one of its threads), in clock ticks (zeros when it is gone). */
function times(pid: number, tid?: string): [number, number, number, number] {
  try {
    const stat = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces: the fields after it start past the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[11]), Number(fields[12]), Number(fields[13]), Number(fields[14])];
  } catch {
    return [0, 0, 0, 0];
  }
}

function childrenOf(pid: number): number[] {
  return spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((line) => Number(line.trim()))
    .filter((child) => child > 0);
}

/**
 * What to count of a process: its own threads, or its own, its children's and its reaped
 * children's; with `threads`, only its live threads whose name matches (a JVM's JIT compiler
 * threads: `C2 CompilerThre`, `C1 CompilerThre`).
 */
export interface CpuWatched {
  pid: number;
  withChildren: boolean;
  /** Other processes whose own CPU time is added to this one's. */
  also?: readonly number[];
  /** Only the threads whose name matches (e.g. the JIT compiler's). */
  threads?: RegExp;
}

/** utime + stime of the live threads of `pid` whose name matches, in clock ticks. */
function threadTicks(pid: number, name: RegExp): number {
  let ticks = 0;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      if (!name.test(readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim())) continue;
      const [utime, stime] = times(pid, tid);
      ticks += utime + stime;
    } catch {
      // the thread ended meanwhile
    }
  }
  return ticks;
}

/** CPU milliseconds a process (and, when asked, its children; or only some of its threads) has used so far. */
export function cpuMs(target: CpuWatched): number {
  if (target.threads) return (threadTicks(target.pid, target.threads) * 1000) / TICKS_PER_SECOND;
  const [utime, stime, cutime, cstime] = times(target.pid);
  let ticks = utime + stime;
  if (target.withChildren) {
    ticks += cutime + cstime;
    for (const child of childrenOf(target.pid)) {
      const [u, s] = times(child);
      ticks += u + s;
    }
  }
  for (const other of target.also ?? []) {
    const [u, s] = times(other);
    ticks += u + s;
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU milliseconds of each watched process between `start` and `stop`. */
export class CpuUse {
  private readonly startMs = new Map<string, number>();
  private watched: Record<string, CpuWatched | null> = {};

  start(watched: Record<string, CpuWatched | null>): void {
    this.watched = watched;
    this.startMs.clear();
    for (const [name, target] of Object.entries(watched)) if (target) this.startMs.set(name, cpuMs(target));
  }

  stop(): Map<string, number> {
    const used = new Map<string, number>();
    for (const [name, target] of Object.entries(this.watched)) {
      const from = this.startMs.get(name);
      if (target && from !== undefined) used.set(name, cpuMs(target) - from);
    }
    return used;
  }
}
