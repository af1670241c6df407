/**
 * `lltp calendar …`: working-time arithmetic on the live calendar (DATABASE_URL) or on the
 * shipped seed (`--seed`, no service needed), and the administrators' edits (with `--actor`,
 * audited, followed by re-planning).
 */
import { Command, Option } from 'commander';
import { createCalendarAdmin, yearListing, type ChangeOutcome, type YearListing } from '../calendar/admin';
import { clockStartFor, CHANNELS, type Channel } from '../calendar/clock';
import { dayNumberOfLocalDate, formatInstant, parseInstant, weekdayOf } from '../calendar/civil-time';
import { FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR, type Period, type UnitHours } from '../calendar/model';
import { calendarPolicyFromConfig, DEFAULT_CALENDAR_POLICY, type CalendarPolicy } from '../calendar/policy';
import { seedCalendarData } from '../calendar/seed';
import { loadCalendarData } from '../calendar/store';
import { checkInstant, WorkingCalendars } from '../calendar/working-calendar';
import { CivilCalendar } from '../calendar/civil-calendar';
import { loadConfig } from '../config';
import { connectDatabase, type Db } from '../db';
import { calendarLabels, channelLabels } from '../glossary';
import { UsageError, type CliIo } from './io';

const WEEKDAY_VI: Record<string, string> = { Mon: 'thứ Hai', Tue: 'thứ Ba', Wed: 'thứ Tư', Thu: 'thứ Năm', Fri: 'thứ Sáu', Sat: 'thứ Bảy', Sun: 'Chủ nhật' };

function instantFlag(value: string | undefined, flag: string): Date {
  if (value === undefined) throw new UsageError(`thiếu ${flag}`);
  let instant: Date;
  try {
    instant = new Date(parseInstant(value));
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
  checkInstant(instant, `${flag} ${value}`);
  return instant;
}

function integerFlag(value: string | undefined, flag: string, what: string): number {
  if (value === undefined) throw new UsageError(`thiếu ${flag}`);
  if (!/^[+-]?\d+$/.test(value.trim())) throw new UsageError(`${flag} phải là số nguyên ${what} (nhận: ${JSON.stringify(value)})`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} quá lớn (nhận: ${value})`);
  return n;
}

function yearFlag(value: string | undefined): number {
  const year = integerFlag(value, '--year', 'năm');
  if (year < FIRST_SUPPORTED_YEAR || year > LAST_SUPPORTED_YEAR) throw new UsageError(`--year phải trong khoảng ${FIRST_SUPPORTED_YEAR}–${LAST_SUPPORTED_YEAR} (nhận: ${year})`);
  return year;
}

/** `07:30-11:30,13:00-17:00` → periods. */
function periodsFlag(value: string, flag: string): Period[] {
  if (value.trim() === '') return [];
  return value.split(',').map((part) => {
    const m = /^\s*(\d{2}:\d{2})\s*[-–]\s*(\d{2}:\d{2})\s*$/.exec(part);
    if (!m) throw new UsageError(`${flag} phải có dạng 07:30-11:30,13:00-17:00 (nhận: ${JSON.stringify(value)})`);
    return { from: m[1] as string, to: m[2] as string };
  });
}

interface SourceOptions {
  seed?: boolean;
  unit?: string;
  json?: boolean;
}

/** Opens the database for one command and always closes it. */
async function withDatabase<T>(io: CliIo, work: (db: Db, policy: CalendarPolicy) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  const database = await connectDatabase(config, { timeoutMs: 3000, max: 2 });
  try {
    return await work(database.db, calendarPolicyFromConfig(config));
  } finally {
    await database.close();
  }
}

/** The calendar to compute on: the shipped seed, or the live one in the database. */
async function withCalendars<T>(io: CliIo, options: SourceOptions, work: (calendars: WorkingCalendars, policy: CalendarPolicy) => T): Promise<T> {
  if (options.seed) return work(new WorkingCalendars(seedCalendarData()), calendarPolicyFromConfig(loadConfig(io.env)));
  return withDatabase(io, async (db, policy) => work(new WorkingCalendars(await loadCalendarData(db)), policy));
}

function describeDue(due: Date, estimated: boolean): string {
  const text = formatInstant(due.getTime());
  const weekday = WEEKDAY_VI[weekdayOf(dayNumberOfLocalDate(text.slice(0, 10)))] ?? '';
  return `Hạn: ${text.slice(0, 10)} ${text.slice(11, 16)} (${weekday}, giờ Việt Nam)${estimated ? ` — ${calendarLabels.estimated}: dựa trên lịch nghỉ chưa chính thức` : ''}`;
}

function printListing(io: CliIo, listing: YearListing, json: boolean | undefined): void {
  const days = listing.days.map((d) => ({
    date: d.date,
    weekday: weekdayOf(dayNumberOfLocalDate(d.date)),
    kind: d.kind,
    name: d.name,
    basis: d.basis,
    status: d.status,
    ...(d.why ? { why: d.why } : {}),
  }));
  if (json) {
    io.out(JSON.stringify({ year: listing.year, status: listing.status, basis: listing.basis, days }));
    return;
  }
  io.out(`Lịch năm ${listing.year}: ${calendarLabels[listing.status]}${listing.basis.length > 0 ? ` — căn cứ: ${listing.basis.join('; ')}` : ''}`);
  const yearBasis = listing.basis.join('; ');
  for (const d of days) {
    const basis = d.basis === yearBasis ? '' : `\tcăn cứ: ${d.basis}`;
    io.out(`${d.date} ${WEEKDAY_VI[d.weekday] ?? d.weekday}\t${calendarLabels[d.kind]}\t${d.name}\t[${calendarLabels[d.status]}]${basis}${d.why ? `\t(${d.why})` : ''}`);
  }
}

function printOutcome(io: CliIo, what: string, outcome: ChangeOutcome, json: boolean | undefined): void {
  if (json) {
    io.out(JSON.stringify(outcome));
    return;
  }
  const r = outcome.replan;
  io.out(`${what}. Phiên bản lịch: ${outcome.calendarVersion}. Đã tính lại hạn: ${r.dossiersMoved}/${r.dossiersExamined} hồ sơ và ${r.stepsMoved}/${r.stepsExamined} bước xử lý thay đổi${r.failed > 0 ? `, ${r.failed} lỗi` : ''}.`);
}

export function calendarCommand(io: CliIo): Command {
  const calendar = new Command('calendar').description('Lịch làm việc: tính hạn theo giờ hành chính, xem và sửa lịch nghỉ');
  const seedOption = new Option('--seed', 'dùng lịch có sẵn trong mã nguồn (không cần cơ sở dữ liệu)');
  const jsonOption = new Option('--json', 'in kết quả dạng JSON');
  const unitOption = new Option('--unit <id>', 'mã đơn vị (giờ làm việc riêng)').default('default');

  calendar
    .command('add')
    .description('thời điểm + số phút làm việc (âm: lùi lại)')
    .requiredOption('--from <iso>', 'thời điểm bắt đầu, ISO 8601 (không có múi giờ: giờ Việt Nam)')
    .requiredOption('--minutes <n>', 'số phút làm việc, số nguyên')
    .addOption(unitOption)
    .addOption(new Option('--channel <channel>', `kênh tiếp nhận: ${CHANNELS.join('|')} (áp dụng quy tắc tính từ thời điểm tiếp nhận)`))
    .addOption(seedOption)
    .addOption(jsonOption)
    .action(async (options: SourceOptions & { from?: string; minutes?: string; channel?: string }) => {
      const from = instantFlag(options.from, '--from');
      const minutes = integerFlag(options.minutes, '--minutes', 'phút');
      if (options.channel !== undefined && !CHANNELS.includes(options.channel as Channel)) {
        throw new UsageError(`--channel phải là ${CHANNELS.join(' hoặc ')} (nhận: ${JSON.stringify(options.channel)})`);
      }
      const channel = options.channel as Channel | undefined;
      const result = await withCalendars(io, options, (calendars, policy) => {
        const unit = calendars.forUnit(options.unit);
        const start = channel ? clockStartFor(unit, from, channel, policy.intake) : from;
        const added = unit.add(start, minutes);
        return { ...added, estimated: added.estimated || unit.isEstimatedBetween(from.getTime(), start.getTime()) };
      });
      if (options.json) io.out(JSON.stringify({ due: formatInstant(result.dueAt.getTime()), estimated: result.estimated }));
      else io.out(`${describeDue(result.dueAt, result.estimated)}${channel ? ` — kênh tiếp nhận: ${channelLabels[channel]}` : ''}`);
    });

  calendar
    .command('between')
    .description('số phút làm việc trong [from, to)')
    .requiredOption('--from <iso>', 'thời điểm đầu')
    .requiredOption('--to <iso>', 'thời điểm cuối')
    .addOption(unitOption)
    .addOption(seedOption)
    .addOption(jsonOption)
    .action(async (options: SourceOptions & { from?: string; to?: string }) => {
      const from = instantFlag(options.from, '--from');
      const to = instantFlag(options.to, '--to');
      const minutes = await withCalendars(io, options, (calendars) => calendars.forUnit(options.unit).between(from, to));
      if (options.json) io.out(JSON.stringify({ minutes }));
      else io.out(`${minutes} phút làm việc (${(minutes / DEFAULT_CALENDAR_POLICY.deadlines.workingDayMinutes).toFixed(2)} ngày làm việc 8 giờ)`);
    });

  calendar
    .command('days')
    .description('ngày nghỉ trong tuần, ngày làm bù và ngày chờ xác nhận của một năm')
    .requiredOption('--year <yyyy>', 'năm')
    .addOption(seedOption)
    .addOption(jsonOption)
    .action(async (options: SourceOptions & { year?: string }) => {
      const year = yearFlag(options.year);
      const listing = options.seed
        ? yearListing(new CivilCalendar(seedCalendarData()), year)
        : await withDatabase(io, (db, policy) => createCalendarAdmin({ db, now: () => io.now(), policy }).listDays({ year }));
      printListing(io, listing, options.json);
    });

  calendar.addCommand(adminCommand(io));
  return calendar;
}

function adminCommand(io: CliIo): Command {
  const admin = new Command('admin').description('sửa lịch (ghi nhật ký thay đổi và tính lại hạn các hồ sơ đang mở)');
  const actorOption = (): Option => new Option('--actor <name>', 'người thực hiện (ghi vào nhật ký)').makeOptionMandatory();
  const jsonOption = (): Option => new Option('--json', 'in kết quả dạng JSON');
  const run = <T>(work: (a: ReturnType<typeof createCalendarAdmin>) => Promise<T>): Promise<T> =>
    withDatabase(io, (db, policy) => work(createCalendarAdmin({ db, now: () => io.now(), policy })));

  admin
    .command('seed')
    .description('ghi lịch có sẵn vào cơ sở dữ liệu (chỉ những năm chưa có)')
    .addOption(actorOption())
    .addOption(jsonOption())
    .action(async (o: { actor: string; json?: boolean }) => {
      const result = await run((a) => a.seed({ actor: o.actor }));
      if (o.json) io.out(JSON.stringify(result));
      else io.out(result.years.length + result.units.length > 0 ? `Đã ghi lịch các năm: ${result.years.join(', ') || 'không có'}; đơn vị: ${result.units.join(', ') || 'không có'}.` : 'Lịch đã có sẵn; không ghi gì thêm.');
    });

  const dayCommand = (name: string, description: string, what: string, call: (a: ReturnType<typeof createCalendarAdmin>, o: Record<string, string>) => Promise<ChangeOutcome>) =>
    admin
      .command(name)
      .description(description)
      .requiredOption('--date <yyyy-mm-dd>', 'ngày')
      .addOption(actorOption())
      .addOption(jsonOption())
      .action(async (o: Record<string, string> & { json?: boolean }) => printOutcome(io, `${what} ${o.date}`, await run((a) => call(a, o)), o.json));

  dayCommand('add-day-off', 'thêm ngày nghỉ (hoặc ngày hoán đổi) trong tuần', 'Đã thêm ngày nghỉ', (a, o) =>
    a.addDayOff({ actor: o.actor ?? '', date: o.date ?? '', name: o.name ?? '', basis: o.basis ?? '', ...(o.reason ? { reason: o.reason } : {}) }),
  )
    .requiredOption('--name <text>', 'tên ngày nghỉ')
    .requiredOption('--basis <text>', 'căn cứ pháp lý')
    .option('--reason <text>', 'lý do sửa');
  dayCommand('add-make-up-day', 'thêm ngày làm bù (thứ Bảy)', 'Đã thêm ngày làm bù', (a, o) =>
    a.addMakeUpDay({ actor: o.actor ?? '', date: o.date ?? '', name: o.name ?? '', basis: o.basis ?? '', ...(o.reason ? { reason: o.reason } : {}) }),
  )
    .requiredOption('--name <text>', 'tên ngày làm bù')
    .requiredOption('--basis <text>', 'căn cứ pháp lý')
    .option('--reason <text>', 'lý do sửa');
  dayCommand('add-pending', 'thêm ngày nghỉ dự kiến (chỉ áp dụng khi được xác nhận)', 'Đã thêm ngày chờ xác nhận', (a, o) =>
    a.addPendingDay({ actor: o.actor ?? '', date: o.date ?? '', name: o.name ?? '', ...(o.why ? { why: o.why } : {}), ...(o.basis ? { basis: o.basis } : {}) }),
  )
    .requiredOption('--name <text>', 'tên ngày')
    .option('--why <text>', 'vì sao chưa áp dụng')
    .option('--basis <text>', 'căn cứ');
  dayCommand('confirm-pending', 'xác nhận ngày chờ: từ nay là ngày nghỉ', 'Đã xác nhận ngày nghỉ', (a, o) =>
    a.confirmPending({ actor: o.actor ?? '', date: o.date ?? '', ...(o.reason ? { reason: o.reason } : {}) }),
  ).option('--reason <text>', 'lý do');
  dayCommand('remove-day', 'xoá một ngày nghỉ, ngày làm bù hoặc ngày chờ', 'Đã xoá ngày', (a, o) =>
    a.removeDay({ actor: o.actor ?? '', date: o.date ?? '', ...(o.reason ? { reason: o.reason } : {}) }),
  ).option('--reason <text>', 'lý do');

  admin
    .command('confirm-year')
    .description('xác nhận lịch nghỉ chính thức của một năm (hết "ước tính")')
    .requiredOption('--year <yyyy>', 'năm')
    .requiredOption('--basis <text...>', 'căn cứ pháp lý (một hoặc nhiều văn bản)')
    .addOption(actorOption())
    .addOption(jsonOption())
    .action(async (o: { year: string; basis: string[]; actor: string; json?: boolean }) => {
      const year = yearFlag(o.year);
      printOutcome(io, `Đã xác nhận lịch năm ${year}`, await run((a) => a.confirmYear({ actor: o.actor, year, basis: o.basis })), o.json);
    });

  admin
    .command('set-unit-hours')
    .description('đặt giờ làm việc của một đơn vị (ca tách, sáng thứ Bảy)')
    .requiredOption('--unit <id>', 'mã đơn vị')
    .requiredOption('--name <text>', 'tên đơn vị')
    .requiredOption('--hours <periods>', 'giờ ngày làm việc, ví dụ 07:30-11:30,13:00-17:00')
    .option('--saturday <periods>', 'giờ mở cửa sáng thứ Bảy (ngoài kỳ nghỉ lễ), ví dụ 07:30-11:30')
    .option('--sunday <periods>', 'giờ mở cửa Chủ nhật')
    .addOption(actorOption())
    .addOption(jsonOption())
    .action(async (o: { unit: string; name: string; hours: string; saturday?: string; sunday?: string; actor: string; json?: boolean }) => {
      const unit: UnitHours = {
        unitId: o.unit,
        name: o.name,
        workingDay: periodsFlag(o.hours, '--hours'),
        restDayHours: {
          ...(o.saturday !== undefined ? { Sat: periodsFlag(o.saturday, '--saturday') } : {}),
          ...(o.sunday !== undefined ? { Sun: periodsFlag(o.sunday, '--sunday') } : {}),
        },
      };
      printOutcome(io, `Đã đặt giờ làm việc của ${o.unit}`, await run((a) => a.setUnitHours({ actor: o.actor, unit })), o.json);
    });

  admin
    .command('remove-unit-hours')
    .description('bỏ giờ làm việc riêng của một đơn vị (dùng giờ mặc định)')
    .requiredOption('--unit <id>', 'mã đơn vị')
    .addOption(actorOption())
    .addOption(jsonOption())
    .action(async (o: { unit: string; actor: string; json?: boolean }) => {
      printOutcome(io, `Đã bỏ giờ làm việc riêng của ${o.unit}`, await run((a) => a.removeUnitHours({ actor: o.actor, unitId: o.unit })), o.json);
    });

  admin
    .command('units')
    .description('giờ làm việc của các đơn vị')
    .addOption(jsonOption())
    .action(async (o: { json?: boolean }) => {
      const units = await run((a) => a.listUnits());
      if (o.json) io.out(JSON.stringify(units));
      else for (const u of units) io.out(`${u.unitId}\t${u.name}\t${u.workingDay.map((p) => `${p.from}-${p.to}`).join(', ')}${u.restDayHours.Sat ? `\tthứ Bảy: ${u.restDayHours.Sat.map((p) => `${p.from}-${p.to}`).join(', ')}` : ''}`);
    });

  admin
    .command('audit')
    .description('nhật ký thay đổi lịch, mới nhất trước')
    .option('--limit <n>', 'số dòng', '20')
    .addOption(jsonOption())
    .action(async (o: { limit: string; json?: boolean }) => {
      const limit = integerFlag(o.limit, '--limit', 'dòng');
      if (limit < 1 || limit > 1000) throw new UsageError(`--limit phải từ 1 đến 1000 (nhận: ${limit})`);
      const entries = await run((a) => a.listAudit({ limit }));
      if (o.json) io.out(JSON.stringify(entries));
      else for (const e of entries) io.out(`${formatInstant(e.at.getTime())}\t${e.actor}\t${e.action}\t${e.date ?? e.unitId ?? e.year ?? ''}${e.replan ? `\ttính lại: ${e.replan.dossiersMoved} hồ sơ, ${e.replan.stepsMoved} bước` : ''}`);
    });

  return admin;
}
