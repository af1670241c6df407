/**
 * `lltp handover --from STP.KHA --to CA.KHA --on 2025-03-01 --actor <admin> [--dry-run] [--json]`:
 * the administrator's command that hands the source agency's open dossiers over to its
 * successor (server/handover). A bad flag is exit 2 naming it; a dossier the command must refuse
 * is listed with its reason and makes the exit code 1 (the others are handed over all the same).
 */
import { Command } from 'commander';
import { loadConfig } from '../config';
import { connectDatabase } from '../db';
import { definitionKeys } from '../handover/definitions';
import { HandoverInputError, handOver, type HandoverReport } from '../handover/handover';
import { checkRequest } from '../handover/plan';
import { loadProcessCatalog, processesDirOf } from '../sla';
import { loadLiveCatalog } from '../process-submissions/submissions';
import { createZeebeClient } from '../zeebe';
import { UsageError, type CliIo } from './io';

interface HandoverOptions {
  from: string;
  to: string;
  on: string;
  actor: string;
  dryRun?: boolean;
  json?: boolean;
}

function printReport(io: CliIo, report: HandoverReport): void {
  const verb = report.dryRun ? 'Sẽ chuyển' : 'Đã chuyển';
  io.out(`${verb} ${report.moved.length} hồ sơ từ ${report.from} sang ${report.to} (từ ngày ${report.on}, quy trình nội bộ ${report.internalProcessId}); ${report.already.length} hồ sơ đã chuyển trước đó; ${report.refused.length} hồ sơ không chuyển được.`);
  for (const d of report.moved) {
    io.out(`  ${d.code}: ${d.steps} bước, ${d.tasks} việc chuyển đơn vị${d.migratedInstanceKey ? `; phiên nội bộ ${d.migratedInstanceKey} sang ${d.toInternalProcessId}` : ''}`);
  }
  for (const r of report.refused) io.out(`  KHÔNG CHUYỂN ${r.reason}`);
}

/** A bad flag is a usage error naming it, found before any service is reached. */
function checked<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof HandoverInputError) throw new UsageError(`--${error.message}`);
    throw error;
  }
}

async function run(io: CliIo, options: HandoverOptions): Promise<void> {
  const config = loadConfig(io.env);
  const catalog = await loadProcessCatalog(processesDirOf(config));
  const request = { from: options.from, to: options.to, on: options.on, actor: options.actor, dryRun: options.dryRun === true };
  checked(() => checkRequest(catalog, request));
  const database = await connectDatabase(config, { timeoutMs: 3000, max: 2 });
  const { camunda, zeebe } = createZeebeClient(config);
  try {
    // with the versions deployed with a leader's approval (process_submissions)
    catalog.adopt(await loadLiveCatalog(database.db, processesDirOf(config)));
    const report = await handOver({ db: database.db, catalog, zeebe, processDefinitionKey: definitionKeys(zeebe, catalog), now: () => io.now() }, request);
    if (options.json) io.out(JSON.stringify(report));
    else printReport(io, report);
    if (report.refused.length > 0) throw new Error(`${report.refused.length} hồ sơ không chuyển được (xem danh sách ở trên)`);
  } finally {
    await camunda.closeAllClients();
    await database.close();
  }
}

export function handoverCommand(io: CliIo): Command {
  return new Command('handover')
    .description('chuyển hồ sơ đang giải quyết của một cơ quan sang cơ quan kế thừa từ một ngày (quản trị viên)')
    .requiredOption('--from <agency>', 'mã cơ quan giao (processes/agencies.json), ví dụ STP.KHA')
    .requiredOption('--to <agency>', 'mã cơ quan nhận, kế thừa cơ quan giao, ví dụ CA.KHA')
    .requiredOption('--on <YYYY-MM-DD>', 'ngày cơ quan nhận bắt đầu giải quyết')
    .requiredOption('--actor <admin>', 'tên quản trị viên thực hiện (ghi vào nhật ký)')
    .option('--dry-run', 'chỉ liệt kê, không thay đổi gì')
    .option('--json', 'in một tài liệu JSON')
    .action((options: HandoverOptions) => run(io, options));
}
