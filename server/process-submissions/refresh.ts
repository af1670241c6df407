/**
 * The workers, the monitor and every API replica take a version deployed with approval without a restart: every
 * PROCESS_CATALOG_REFRESH_MS they count the deployed submissions (an index-only count; deployed
 * is final, so the count only grows) and, when it changed, read the catalog again and adopt it.
 * The API that approves adopts it at once (./submissions.ts `refreshCatalog`). A catalog that
 * does not load is logged and the previous one kept.
 */
import type { Db } from '../db';
import type { Logger } from '../logger';
import type { ProcessCatalog } from '../sla/catalog';
import { deployedCount, refreshCatalog } from './submissions';

export function watchDeployedVersions(deps: { db: Db; catalog: ProcessCatalog; dir: string; logger: Logger }, intervalMs: number, seen: number): () => Promise<void> {
  let known = seen;
  let running: Promise<void> = Promise.resolve();
  const check = async (): Promise<void> => {
    const count = await deployedCount(deps.db);
    if (count === known) return;
    if (!(await refreshCatalog(deps))) return;
    deps.logger.info({ deployedVersions: count }, 'process catalog read again: a version was deployed with approval');
    known = count;
  };
  const timer = setInterval(() => {
    running = running.then(check).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not check for deployed versions'));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
