/**
 * Memory of the processes a benchmark runs, sampled every second, under the name of what is
 * measured: the resident set size (RSS) of one process, or, for PostgreSQL (the postmaster and
 * its backends, which share their buffers), the proportional set size (PSS) summed over them,
 * so that shared memory is counted once. A process watched with others (`also`: a Zeebe cluster's
 * brokers and gateway) counts the sum of their RSS.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What to measure of a process: its RSS, or the PSS of it and its children. */
export type Measure = 'rss' | 'pss';

export interface Watched {
  pid: number;
  measure: Measure;
  /** Other processes whose RSS is added to this one's (measure 'rss' only). */
  also?: readonly number[];
}

function rssMb(pid: number): number {
  const kb = Number(spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim());
  return Number.isFinite(kb) ? kb / 1024 : 0;
}

function pssMbWithChildren(pid: number): number {
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  let kb = 0;
  for (const p of [String(pid), ...children]) {
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // the backend ended meanwhile
    }
  }
  return kb / 1024;
}

/** The PostgreSQL server's postmaster, from `SHOW data_directory`'s postmaster.pid (null when it cannot be read). */
export function postmasterPid(dataDirectory: string): number | null {
  try {
    return Number(readFileSync(`${dataDirectory}/postmaster.pid`, 'utf8').split('\n')[0]?.trim()) || null;
  } catch {
    return null;
  }
}

/** The peak memory (MB) of each watched process between `start` and `stop`. */
export class MemoryPeaks {
  readonly peaks = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  start(watched: Record<string, Watched | null>): void {
    this.peaks.clear();
    const sample = (): void => {
      for (const [name, target] of Object.entries(watched)) {
        if (!target) continue;
        const own = target.pid === process.pid ? process.memoryUsage().rss / 1048576 : target.measure === 'pss' ? pssMbWithChildren(target.pid) : rssMb(target.pid);
        const mb = (target.also ?? []).reduce((sum, pid) => sum + rssMb(pid), own);
        if (mb > (this.peaks.get(name) ?? 0)) this.peaks.set(name, mb);
      }
    };
    sample();
    this.timer = setInterval(sample, 1000);
  }

  stop(): Map<string, number> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return new Map(this.peaks);
  }
}
