/**
 * `lltp whatif --model draft.bpmn --from 2026-09-01 --to 2026-11-30 [--json] [--xlsx out.xlsx]`:
 * the what-if of a draft model against the dossiers received in the period (issue 27, item 3;
 * server/designer). Prints the comparison as a Vietnamese table (or one JSON document). A draft
 * that does not lint: its problems on stderr, each naming the element and property, exit 1.
 * A bad flag or period: exit 2 naming it. Read only (one audit line, action processes.whatif).
 */
import { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { audit } from '../audit';
import { loadCalendarData } from '../calendar/store';
import { WorkingCalendars } from '../calendar/working-calendar';
import { loadConfig } from '../config';
import { connectDatabase } from '../db';
import { describeProblem, sha256Of } from '../designer/draft-lint';
import { comparisonRows, exportWhatIf, numberText } from '../designer/whatif-export';
import { DraftLintError, runWhatIf, WHATIF_AUDIT_ACTION, whatIfDepsFromConfig, whatIfPeriod, WhatIfInputError, type WhatIfReport } from '../designer/whatif-service';
import { loadRegimes } from '../scores/regime';
import { processesDirOf } from '../sla';
import { UsageError, type CliIo } from './io';

interface WhatIfOptions {
  model: string;
  from: string;
  to: string;
  json?: boolean;
  xlsx?: string;
}

const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - [...text].length));
const padStart = (text: string, width: number): string => ' '.repeat(Math.max(0, width - [...text].length)) + text;

/** The comparison and the steps that change, as aligned text. */
export function whatIfTable(r: WhatIfReport): string[] {
  const lines = [
    `Thử nghiệm mô hình nháp ${r.model.processId} (quy trình ${r.model.procedure}, SHA-256 ${r.model.sha256.slice(0, 12)}…) thay cho ${r.replaces.join(', ') || '(không phiên bản nào)'}`,
    `Hồ sơ tiếp nhận từ ${r.period.from} đến ${r.period.to}: ${r.dossiers} hồ sơ, ${r.steps} lượt bước; hạn tính lại khác hạn đã ghi: ${r.consistency.dueAtDiffers} bước, ${r.consistency.statutoryDueAtDiffers} hồ sơ`,
    '',
    `${pad('Chỉ tiêu', 44)}${padStart('Hiện hành', 11)}${padStart('Nháp', 9)}${padStart('Chênh lệch', 12)}`,
  ];
  for (const row of comparisonRows(r)) {
    lines.push(`${pad(row.label, 44)}${padStart(numberText(row.current) ?? '—', 11)}${padStart(numberText(row.draft) ?? '—', 9)}${padStart(numberText(row.difference, true) ?? '—', 12)}`);
  }
  lines.push('', `${pad('Bước', 24)}${padStart('Thời gian', 14)}${padStart('Trễ hiện hành', 15)}${padStart('Trễ nháp', 10)}${padStart('Chênh lệch', 12)}`);
  for (const s of r.byStep) {
    const allotments = s.current.allotments === s.draft.allotments ? s.current.allotments : `${s.current.allotments} → ${s.draft.allotments}`;
    lines.push(`${pad(s.elementId, 24)}${padStart(allotments, 14)}${padStart(String(s.current.late), 15)}${padStart(String(s.draft.late), 10)}${padStart(numberText(s.delta, true) ?? '', 12)}`);
  }
  return lines;
}

async function run(io: CliIo, options: WhatIfOptions): Promise<void> {
  let period;
  try {
    period = whatIfPeriod(options.from, options.to);
  } catch (error) {
    if (error instanceof WhatIfInputError) throw new UsageError(`--${error.parameter}: ${error.message.replace(/^\w+: /, '')}`);
    throw error;
  }
  const xml = await readFile(options.model, 'utf8').catch(() => {
    throw new UsageError(`--model: không đọc được tệp ${options.model}`);
  });
  const config = loadConfig(io.env);
  const database = await connectDatabase(config, { timeoutMs: 3000, max: 2 });
  try {
    const calendars = new WorkingCalendars(await loadCalendarData(database.db));
    const deps = whatIfDepsFromConfig(config, database.db, () => Promise.resolve(calendars), processesDirOf(config), loadRegimes());
    await audit(database.db, { at: io.now(), actor: 'cli', action: WHATIF_AUDIT_ACTION, detail: `hồ sơ nhận ${period.first}..${period.last}, mô hình nháp sha256=${sha256Of(xml)}` });
    const report = await runWhatIf(deps, xml, period).catch((error: unknown) => {
      if (error instanceof DraftLintError) {
        for (const p of error.problems) io.err(`${options.model}: ${describeProblem(p)}`);
        throw new Error(`mô hình nháp chưa đạt kiểm tra (${error.problems.length} lỗi); chưa tính lại hồ sơ nào`);
      }
      if (error instanceof WhatIfInputError) throw new UsageError(`--model: ${error.message.replace(/^body: /, '')}`);
      throw error;
    });
    if (options.json) io.out(JSON.stringify(report));
    else for (const line of whatIfTable(report)) io.out(line);
    if (options.xlsx) {
      const written = await exportWhatIf(report, { agencyName: config.AGENCY_CODE, actor: { username: 'cli', displayName: 'Dòng lệnh' }, generatedAt: io.now() });
      await writeFile(options.xlsx, written.bytes);
      io.err(`Đã ghi ${options.xlsx}`);
    }
  } finally {
    await database.close();
  }
}

export function whatIfCommand(io: CliIo): Command {
  return new Command('whatif')
    .description('thử nghiệm mô hình nháp trên hồ sơ đã tiếp nhận (không triển khai, không ghi vào hồ sơ)')
    .requiredOption('--model <file.bpmn>', 'tệp mô hình nháp (.bpmn)')
    .requiredOption('--from <YYYY-MM-DD>', 'ngày tiếp nhận đầu tiên')
    .requiredOption('--to <YYYY-MM-DD>', 'ngày tiếp nhận cuối cùng (tối đa 366 ngày)')
    .option('--json', 'in một tài liệu JSON')
    .option('--xlsx <out.xlsx>', 'ghi kết quả ra tệp XLSX')
    .action((options: WhatIfOptions) => run(io, options));
}
