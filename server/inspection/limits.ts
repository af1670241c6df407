/**
 * The bounds of exports in the API (issue 29, item 4): a row cap per format, and how many
 * exports and weekly-report builds may run at once, per user and in total. A list above its
 * format's cap is refused before anything is read (413, in Vietnamese, naming the cap, the count
 * and how to narrow the filter); an export beyond the slots is refused at once (429 with
 * Retry-After), never queued: a queue would hold the request and its memory all the same.
 */
import type { Config } from '../config';
import type { ExportFormat } from './export/model';

export interface ExportLimits {
  /** Most dossiers a list file of each format may hold. */
  maxRows: Readonly<Record<ExportFormat, number>>;
  maxConcurrent: number;
  maxConcurrentPerUser: number;
  retryAfterSeconds: number;
}

export function exportLimitsOf(config: Pick<Config, 'EXPORT_MAX_ROWS_PDF' | 'EXPORT_MAX_ROWS_XLSX' | 'EXPORT_MAX_ROWS_CSV' | 'EXPORT_MAX_CONCURRENT' | 'EXPORT_MAX_CONCURRENT_PER_USER' | 'EXPORT_RETRY_AFTER_SECONDS'>): ExportLimits {
  return {
    maxRows: { pdf: config.EXPORT_MAX_ROWS_PDF, xlsx: config.EXPORT_MAX_ROWS_XLSX, csv: config.EXPORT_MAX_ROWS_CSV },
    maxConcurrent: config.EXPORT_MAX_CONCURRENT,
    maxConcurrentPerUser: config.EXPORT_MAX_CONCURRENT_PER_USER,
    retryAfterSeconds: config.EXPORT_RETRY_AFTER_SECONDS,
  };
}

const number = (n: number): string => n.toLocaleString('vi-VN');

/** A list with more dossiers than its format's cap: 413. */
export class ExportTooLargeError extends Error {
  constructor(
    readonly format: ExportFormat,
    readonly limit: number,
    readonly count: number,
  ) {
    const other = format === 'pdf' ? ' hoặc xuất dạng XLSX/CSV' : '';
    super(
      `Danh sách có ${number(count)} hồ sơ, vượt giới hạn ${number(limit)} hồ sơ của tệp ${format.toUpperCase()}. ` +
        `Hãy thu hẹp bộ lọc: chọn khoảng thời gian ngắn hơn (from, to), một đơn vị (unit) hoặc một trạng thái (status)${other}.`,
    );
    this.name = 'ExportTooLargeError';
  }
}

/** Every slot taken, the user's or everyone's: 429 with Retry-After. */
export class ExportBusyError extends Error {
  constructor(
    readonly scope: 'user' | 'total',
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      scope === 'user'
        ? `Bạn đang có ${number(limit)} yêu cầu xuất tệp hoặc lập báo cáo chưa xong (tối đa ${number(limit)} cùng lúc). Vui lòng thử lại sau ${retryAfterSeconds} giây.`
        : `Hệ thống đang xuất ${number(limit)} tệp hoặc lập báo cáo cùng lúc (tối đa ${number(limit)}). Vui lòng thử lại sau ${retryAfterSeconds} giây.`,
    );
    this.name = 'ExportBusyError';
  }
}

/** Refuses a list of `count` dossiers in `format` above the cap. */
export function checkRowCap(limits: Pick<ExportLimits, 'maxRows'>, format: ExportFormat, count: number): void {
  const limit = limits.maxRows[format];
  if (count > limit) throw new ExportTooLargeError(format, limit, count);
}

/**
 * The slots of one API process: `run(user, work)` runs `work` in a free slot, or throws
 * ExportBusyError at once when the user's or the process's slots are all taken.
 */
export class ExportSlots {
  readonly #byUser = new Map<string, number>();
  #total = 0;

  constructor(readonly limits: Pick<ExportLimits, 'maxConcurrent' | 'maxConcurrentPerUser' | 'retryAfterSeconds'>) {}

  async run<T>(user: string, work: () => Promise<T>): Promise<T> {
    const mine = this.#byUser.get(user) ?? 0;
    if (mine >= this.limits.maxConcurrentPerUser) throw new ExportBusyError('user', this.limits.maxConcurrentPerUser, this.limits.retryAfterSeconds);
    if (this.#total >= this.limits.maxConcurrent) throw new ExportBusyError('total', this.limits.maxConcurrent, this.limits.retryAfterSeconds);
    this.#byUser.set(user, mine + 1);
    this.#total += 1;
    try {
      return await work();
    } finally {
      this.#total -= 1;
      const left = (this.#byUser.get(user) ?? 1) - 1;
      if (left === 0) this.#byUser.delete(user);
      else this.#byUser.set(user, left);
    }
  }

  get running(): number {
    return this.#total;
  }
}
