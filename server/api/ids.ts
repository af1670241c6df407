/**
 * The shapes of the ids callers put in paths (dossier codes, task ids, dates, …). Each router
 * checks its path parameters with `checkParam` (Express `router.param`) before any handler
 * runs, so a malformed id is a 400 naming the parameter and never reaches the database.
 */
import type { NextFunction, Request, Response } from 'express';
import { shown } from './text';

export interface IdShape {
  pattern: RegExp;
  /** What the value should be, for the message. */
  label: string;
}

export const IDS = {
  /** `<agency>-YYMMDD-NNNN` (the `dossiers.code` check constraint). */
  dossierCode: { pattern: /^[A-Za-z0-9.]{2,30}-\d{6}-\d{4}$/, label: 'mã hồ sơ dạng <cơ quan>-YYMMDD-NNNN' },
  /** An inbox task: `task:<element instance key>`. */
  taskId: { pattern: /^task:\d{1,20}$/, label: 'mã công việc dạng task:<số>' },
  username: { pattern: /^[A-Za-z0-9._-]{1,40}$/, label: 'tên đăng nhập (1–40 chữ không dấu, số, . _ -)' },
  localDate: { pattern: /^\d{4}-\d{2}-\d{2}$/, label: 'ngày dạng YYYY-MM-DD' },
  year: { pattern: /^\d{4}$/, label: 'năm (4 chữ số)' },
  unitId: { pattern: /^[A-Za-z0-9_.:-]{1,64}$/, label: 'mã đơn vị (1–64 chữ, số, _ . : -)' },
  /** A BPMN element id. */
  elementId: { pattern: /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/, label: 'mã bước của quy trình' },
  /** A model version's process id, `<procedure>-v<YYYYMMDD>` (lltp:procedure + lltp:effectiveFrom). */
  processId: { pattern: /^(?=.{1,100}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/, label: 'mã phiên bản quy trình (tối đa 100 chữ thường, số, -), ví dụ quy-trinh-570-v20260701' },
  /** A model version submitted for approval (`process_submissions.id`). */
  submissionId: { pattern: /^[1-9]\d{0,15}$/, label: 'số đề nghị triển khai (số nguyên dương)' },
  /** One of the one-stop system's events. */
  oneStopEvent: { pattern: /^(supplemented|withdrawn)$/, label: 'sự kiện supplemented hoặc withdrawn' },
} as const satisfies Record<string, IdShape>;

/** `name: không phải <label> (nhận: <value>)`. */
export const badId = (name: string, shape: IdShape, value: unknown): string => `${name}: không phải ${shape.label} (nhận: ${shown(value)})`;

/** For `router.param(name, checkParam(shape))`: a value of another shape is answered 400. */
export const checkParam =
  (shape: IdShape) =>
  (_req: Request, res: Response, next: NextFunction, value: unknown, name: string): void => {
    if (typeof value === 'string' && shape.pattern.test(value)) next();
    else res.status(400).json({ error: badId(name, shape, value), parameter: name });
  };
