/**
 * `lltp inspection list|verify` and `lltp report weekly|monthly`: the inspection lists, the check
 * of an exported file and the weekly and monthly Đề án 06 reports, for scripts. Lists and files are audited as the
 * command-line user (`cli:<login>`, or `--actor`), like the API audits a signed-in inspector.
 * With `--json`, one JSON document on standard output.
 */
import { sql } from 'kysely';
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { audit } from '../audit';
import { loadCalendarData } from '../calendar/store';
import { WorkingCalendars } from '../calendar/working-calendar';
import { loadConfig, type Config } from '../config';
import { connectDatabase, type Db } from '../db';
import { filterVocabulary, inspectionService } from '../inspection';
import { streamDossiers } from '../inspection/engine';
import { EXPORT_FORMATS, type WrittenExport } from '../inspection/export/model';
import { verifyExport, type VerifyResult } from '../inspection/export/verify';
import { checkAgency, checkRegime, InspectionInputError, parseFilters, SORT_KEYS, STATUS_FILTERS } from '../inspection/filters';
import { dossierJson, exportList, filterLabels, summaryOf, weeklyFileName, weeklyReport, weeklyView, weeklyViewFile, type Actor, type InspectionServiceDeps, type WeekScope } from '../inspection/service';
import { reportWeek, type ReportWeek } from '../inspection/week';
import { reportMonth } from '../inspection/month';
import { monthlyFileName, monthlyReport, type MonthlyReportDeps } from '../inspection/monthly';
import { monthlyReadOf } from '../inspection/monthly-tasks';
import { loadUnitHeads } from '../inspection/unit-heads';
import { loadRegimes } from '../scores/regime';
import { processesDirOf, type ProcessCatalog } from '../sla';
import { loadLiveCatalog } from '../process-submissions/submissions';
import { EXIT_FAILURE, UsageError, type CliIo } from './io';

const LIST_FORMATS = ['json', ...EXPORT_FORMATS] as const;
const WEEKLY_FORMATS = ['json', 'xlsx', 'pdf'] as const;

interface ServiceContext {
  db: Db;
  config: Config;
  catalog: ProcessCatalog;
  service: InspectionServiceDeps;
}

/** Opens the database, the models and the calendar for one command, and always closes them. */
async function withService<T>(io: CliIo, work: (context: ServiceContext) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  const database = await connectDatabase(config, { timeoutMs: 3000, max: 2 });
  try {
    const catalog = await loadLiveCatalog(database.db, processesDirOf(config));
    const calendars = new WorkingCalendars(await loadCalendarData(database.db));
    const service = inspectionService({ db: database.db, config, catalog, calendars: () => Promise.resolve(calendars), now: () => io.now() });
    return await work({ db: database.db, config, catalog, service });
  } finally {
    await database.close();
  }
}

function actorOf(name: string | undefined): Actor {
  const username = name ?? `cli:${userInfo().username}`;
  return { username, displayName: username };
}

/** The API's 400 is the CLI's usage error: the parameter named as its flag. */
function asUsage(error: unknown): never {
  if (error instanceof InspectionInputError) {
    const flag = `--${error.parameter.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new UsageError(error.message.replace(new RegExp(`^${error.parameter}\\b`), flag));
  }
  throw error;
}

function writeFile(io: CliIo, out: string, written: Pick<WrittenExport, 'bytes' | 'format' | 'rowCount' | 'rowsSha256' | 'fileSha256'>, json: boolean): void {
  writeFileSync(out, written.bytes);
  const facts = { file: out, format: written.format, rows: written.rowCount, rowsSha256: written.rowsSha256, fileSha256: written.fileSha256 };
  if (json) io.out(JSON.stringify(facts));
  else io.out(`Đã ghi ${out} (${written.format.toUpperCase()}, ${written.rowCount} dòng). SHA-256 các dòng: ${written.rowsSha256}`);
}

interface ListOptions {
  from: string;
  to: string;
  basis?: string;
  agency?: string;
  regime?: string;
  unit?: string;
  procedure?: string;
  version?: string;
  channel?: string;
  status?: string;
  sort: (typeof SORT_KEYS)[number];
  format: (typeof LIST_FORMATS)[number];
  out?: string;
  json?: boolean;
  actor?: string;
}

async function list(io: CliIo, options: ListOptions): Promise<void> {
  if ((options.format === 'xlsx' || options.format === 'pdf') && !options.out) throw new UsageError(`--format ${options.format} cần --out TỆP`);
  await withService(io, async ({ service }) => {
    const { from, to, basis, agency, regime, unit, procedure, version, channel, status } = options;
    const query = Object.fromEntries(Object.entries({ from, to, basis, agency, regime, unit, procedure, version, channel, status }).filter(([, v]) => v !== undefined));
    let filters;
    try {
      filters = parseFilters(query, filterVocabulary(service.catalog));
    } catch (error) {
      asUsage(error);
    }
    const actor = actorOf(options.actor);
    const sort = { sort: options.sort, descending: options.sort === 'lateness' };
    if (options.format === 'json') {
      // one JSON document, streamed a dossier at a time
      const summary = await summaryOf(service, actor, filters);
      const lines: string[] = [];
      const emit = (text: string): void => {
        if (options.out) lines.push(text);
        else io.out(text);
      };
      emit(`{"filters":${JSON.stringify(filterLabels(filters))},"summary":${JSON.stringify(summary)},"dossiers":[`);
      let first = true;
      for await (const d of streamDossiers(service, filters, sort)) {
        emit(`${first ? '' : ','}${JSON.stringify(dossierJson(d))}`);
        first = false;
      }
      emit(']}');
      await audit(service.db, { at: service.now(), actor: actor.username, action: 'inspection.list', dossierCode: null, detail: `cli json ${JSON.stringify(filterLabels(filters))}` });
      if (options.out) {
        writeFileSync(options.out, `${lines.join('\n')}\n`);
        if (options.json) io.out(JSON.stringify({ file: options.out, format: 'json' }));
        else io.out(`Đã ghi ${options.out} (JSON).`);
      }
      return;
    }
    const written = await exportList(service, actor, filters, options.format, sort);
    if (options.out) writeFile(io, options.out, written, options.json ?? false);
    else io.out(written.bytes.toString('utf8').replace(/\r?\n$/, ''));
  });
}

async function verify(io: CliIo, file: string, options: { json?: boolean; offline?: boolean }): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new UsageError(`không đọc được tệp ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const run = async (db: Db | null): Promise<VerifyResult> => {
    if (!db) return verifyExport(bytes, { fileName: file });
    return verifyExport(bytes, {
      fileName: file,
      // the export of these very bytes first (an XLSX and a PDF of one document share their rows digest), else the oldest with these rows
      lookup: async (rowsSha256, fileSha256) => {
        const recorded = await db
          .selectFrom('inspectionExports')
          .select(['at', 'actor', 'kind', 'format', 'fileName', 'rowsSha256', 'fileSha256'])
          .where('rowsSha256', '=', rowsSha256)
          .orderBy(sql`file_sha256 = ${fileSha256}`, 'desc')
          .orderBy('at', 'asc')
          .limit(1)
          .executeTakeFirst();
        return recorded ? { ...recorded, at: recorded.at.toISOString() } : null;
      },
    });
  };
  let result: VerifyResult;
  if (options.offline) result = await run(null);
  else {
    const config = loadConfig(io.env);
    const database = await connectDatabase(config, { timeoutMs: 3000, max: 1 });
    try {
      result = await run(database.db);
    } finally {
      await database.close();
    }
  }
  if (options.json) io.out(JSON.stringify({ file, ...result }));
  else {
    io.out(result.message);
    for (const finding of result.findings.slice(1)) io.out(`- ${finding}`);
  }
  if (!result.unchanged) throw new VerifyFailed();
}

/** A changed file: exit 1 after the message (already printed). */
export class VerifyFailed extends Error {
  readonly exitCode = EXIT_FAILURE;
  constructor() {
    super('tệp không còn nguyên vẹn');
  }
}

interface WeeklyOptions {
  weekEnding: string;
  format: (typeof WEEKLY_FORMATS)[number];
  agency?: string;
  regime?: string;
  out?: string;
  json?: boolean;
  regenerate?: boolean;
  actor?: string;
}

/** `--agency`/`--regime`: the weekly report narrowed to them, as of the same cut-off (not archived). */
async function weeklyNarrowed(io: CliIo, service: InspectionServiceDeps, week: ReportWeek, options: WeeklyOptions): Promise<void> {
  let scope: WeekScope;
  try {
    const catalog = service.catalog;
    scope = { agency: options.agency ? checkAgency(catalog, options.agency) : null, regime: options.regime ? checkRegime(catalog, options.regime) : null };
  } catch (error) {
    asUsage(error);
  }
  if (options.regenerate) throw new UsageError('--regenerate: chỉ lập lại báo cáo cả tuần (không kèm --agency, --regime)');
  const actor = actorOf(options.actor);
  if (options.format === 'json') {
    const document = { weekEnding: week.weekEnding, periodFrom: week.from.toISOString(), periodTo: week.to.toISOString(), ...(await weeklyView(service, actor, week, scope)) };
    if (options.out) {
      writeFileSync(options.out, `${JSON.stringify(document, null, 2)}\n`);
      io.out(options.json ? JSON.stringify({ file: options.out, format: 'json' }) : `Đã ghi ${options.out} (JSON).`);
    } else io.out(JSON.stringify(document));
    return;
  }
  const written = await weeklyViewFile(service, actor, week, scope, options.format);
  writeFile(io, options.out as string, written, options.json ?? false);
}

async function weekly(io: CliIo, options: WeeklyOptions): Promise<void> {
  if (options.format !== 'json' && !options.out) throw new UsageError(`--format ${options.format} cần --out TỆP`);
  await withService(io, async ({ config, service }) => {
    let week;
    try {
      week = reportWeek(options.weekEnding, config.REPORT_WEEK_CUTOFF, 'weekEnding');
    } catch (error) {
      asUsage(error);
    }
    if (week.to > service.now()) throw new UsageError(`--week-ending: tuần kết thúc ${week.weekEnding} chưa đến giờ chốt`);
    if (options.agency !== undefined || options.regime !== undefined) {
      await weeklyNarrowed(io, service, week, options);
      return;
    }
    const report = await weeklyReport(service, actorOf(options.actor), week, { regenerate: options.regenerate ?? false });
    if (options.format === 'json') {
      const document = { weekEnding: report.weekEnding, revision: report.revision, periodFrom: report.periodFrom.toISOString(), periodTo: report.periodTo.toISOString(), summary: report.summary, rowsSha256: report.rowsSha256, contentSha256: report.contentSha256, xlsxSha256: report.xlsxSha256, pdfSha256: report.pdfSha256, sentAt: report.sentAt?.toISOString() ?? null };
      outputJson(io, document, options);
      return;
    }
    const format = options.format;
    const bytes = format === 'xlsx' ? report.xlsx : report.pdf;
    writeFile(io, options.out as string, { bytes, format, rowCount: Number(report.summary.late ?? 0), rowsSha256: report.rowsSha256, fileSha256: format === 'xlsx' ? report.xlsxSha256 : report.pdfSha256 }, options.json ?? false);
    if (!options.json) io.err(`Tệp ${weeklyFileName(report.weekEnding, report.revision, format)} (lần lập ${report.revision}).`);
  });
}

/** A report as one JSON document: written to --out (and a line saying so), or to standard output. */
function outputJson(io: CliIo, document: unknown, options: { out?: string; json?: boolean }): void {
  if (options.out) {
    writeFileSync(options.out, `${JSON.stringify(document, null, 2)}\n`);
    io.out(options.json ? JSON.stringify({ file: options.out, format: 'json' }) : `Đã ghi ${options.out} (JSON).`);
  } else io.out(JSON.stringify(document));
}

interface MonthlyOptions {
  month: string;
  format: (typeof WEEKLY_FORMATS)[number];
  out?: string;
  json?: boolean;
  regenerate?: boolean;
  actor?: string;
}

/** The month as archived (built on first ask once its cut-off has passed), as JSON with its late tasks, or one of its files. */
async function monthly(io: CliIo, options: MonthlyOptions): Promise<void> {
  if (options.format !== 'json' && !options.out) throw new UsageError(`--format ${options.format} cần --out TỆP`);
  // the flags are checked before the database is opened
  let month;
  try {
    month = reportMonth(options.month, loadConfig(io.env).REPORT_MONTH_CUTOFF, 'month');
  } catch (error) {
    asUsage(error);
  }
  if (month.to > io.now()) throw new UsageError(`--month: tháng ${month.month} chưa đến giờ chốt (REPORT_MONTH_CUTOFF)`);
  await withService(io, async ({ config, catalog, service }) => {
    const deps: MonthlyReportDeps = { service, agencyCode: config.AGENCY_CODE, lineage: catalog.lineage(config.AGENCY_CODE), regimes: loadRegimes(), heads: loadUnitHeads(processesDirOf(config)) };
    const actor = actorOf(options.actor);
    const report = await monthlyReport(deps, actor, month, { regenerate: options.regenerate ?? false });
    if (options.format === 'json') {
      const document = {
        agencyCode: report.agencyCode,
        month: report.month,
        revision: report.revision,
        periodFrom: report.periodFrom.toISOString(),
        periodTo: report.periodTo.toISOString(),
        summary: report.summary,
        rowsSha256: report.rowsSha256,
        contentSha256: report.contentSha256,
        xlsxSha256: report.xlsxSha256,
        pdfSha256: report.pdfSha256,
        sentAt: report.sentAt?.toISOString() ?? null,
        ...(await monthlyReadOf(deps, actor, report)),
      };
      outputJson(io, document, options);
      return;
    }
    const format = options.format;
    const bytes = format === 'xlsx' ? report.xlsx : report.pdf;
    const rowCount = Number((await deps.service.db.selectFrom('inspectionExports').select('rowCount').where('kind', '=', 'monthly').where('rowsSha256', '=', report.rowsSha256).limit(1).executeTakeFirst())?.rowCount ?? 0);
    writeFile(io, options.out as string, { bytes, format, rowCount, rowsSha256: report.rowsSha256, fileSha256: format === 'xlsx' ? report.xlsxSha256 : report.pdfSha256 }, options.json ?? false);
    if (!options.json) io.err(`Tệp ${monthlyFileName(report.month, report.revision, format)} (lần lập ${report.revision}).`);
  });
}

const choice = (flags: string, description: string, values: readonly string[]): Option => new Option(flags, description).choices(values);

export function inspectionCommand(io: CliIo): Command {
  const command = new Command('inspection').description('danh sách thanh tra, kiểm tra hồ sơ và kiểm tra tệp đã xuất');
  command
    .command('list')
    .description('danh sách hồ sơ trong kỳ (trễ hạn, quá hạn, đúng hạn) với bước gây trễ và lý do')
    .requiredOption('--from <YYYY-MM-DD>', 'ngày đầu kỳ')
    .requiredOption('--to <YYYY-MM-DD>', 'ngày cuối kỳ (tính cả ngày này)')
    .addOption(choice('--basis <basis>', 'kỳ tính theo ngày tiếp nhận, kết thúc hoặc cả hai', ['received', 'finished', 'both']))
    .option('--agency <code>', 'cơ quan')
    .option('--regime <processId>', 'chế độ: phiên bản quy trình quốc gia áp dụng cho hồ sơ (ví dụ quy-trinh-570-v20260701)')
    .option('--unit <id>', 'đơn vị')
    .option('--procedure <id>', 'quy trình')
    .option('--version <processId>', 'phiên bản quy trình')
    .option('--channel <channel>', 'kênh tiếp nhận')
    .addOption(choice('--status <status>', 'trạng thái', STATUS_FILTERS))
    .addOption(choice('--sort <key>', 'sắp xếp', SORT_KEYS).default('receivedAt'))
    .addOption(choice('--format <format>', 'định dạng', LIST_FORMATS).default('json'))
    .option('--out <file>', 'ghi ra tệp')
    .option('--json', 'một tài liệu JSON trên đầu ra chuẩn')
    .option('--actor <name>', 'người lập (ghi nhật ký)')
    .action((options: ListOptions) => list(io, options));
  command
    .command('verify')
    .description('kiểm tra tệp CSV, XLSX hoặc PDF đã xuất còn nguyên vẹn')
    .argument('<file>', 'tệp cần kiểm tra')
    .option('--json', 'một tài liệu JSON trên đầu ra chuẩn')
    .option('--offline', 'không tra nhật ký trong cơ sở dữ liệu, chỉ so với mã ghi trong tệp')
    .action((file: string, options: { json?: boolean; offline?: boolean }) => verify(io, file, options));
  return command;
}

export function reportCommand(io: CliIo): Command {
  const command = new Command('report').description('báo cáo');
  command
    .command('weekly')
    .description('báo cáo tuần Đề án 06 (như đã lưu; --regenerate để lập lại)')
    .requiredOption('--week-ending <YYYY-MM-DD>', 'ngày chốt của tuần (thứ Sáu theo REPORT_WEEK_CUTOFF)')
    .addOption(choice('--format <format>', 'định dạng', WEEKLY_FORMATS).default('json'))
    .option('--agency <code>', 'chỉ hồ sơ của cơ quan này (không lưu vào kho báo cáo)')
    .option('--regime <processId>', 'chỉ hồ sơ của chế độ này (phiên bản quy trình quốc gia; không lưu vào kho báo cáo)')
    .option('--out <file>', 'ghi ra tệp')
    .option('--json', 'một tài liệu JSON trên đầu ra chuẩn')
    .option('--regenerate', 'lập lại báo cáo (lần lập mới, được ghi nhật ký)')
    .option('--actor <name>', 'người lập (ghi nhật ký)')
    .action((options: WeeklyOptions) => weekly(io, options));
  command
    .command('monthly')
    .description('báo cáo tháng Đề án 06 của cơ quan (AGENCY_CODE), như đã lưu; --regenerate để lập lại')
    .requiredOption('--month <YYYY-MM>', 'tháng báo cáo (tính từ giờ chốt REPORT_MONTH_CUTOFF của tháng đó)')
    .addOption(choice('--format <format>', 'định dạng', WEEKLY_FORMATS).default('json'))
    .option('--out <file>', 'ghi ra tệp')
    .option('--json', 'một tài liệu JSON trên đầu ra chuẩn')
    .option('--regenerate', 'lập lại báo cáo (lần lập mới, được ghi nhật ký)')
    .option('--actor <name>', 'người lập (ghi nhật ký)')
    .action((options: MonthlyOptions) => monthly(io, options));
  return command;
}

