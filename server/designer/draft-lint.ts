/**
 * Lints a draft model with the same rules as a deploy (processes/lint/run.ts): the
 * .bpmnlintrc rules on the draft, then the checks across models on a temporary copy of the
 * processes folder where the draft stands in place of the installed file that declares the same
 * process id (or beside the installed models when none does). The problems are given in
 * Vietnamese, each naming the element id and, where the message names one, the `lltp:` property.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CONFIG_FILE, lintCatalog, lintXml, readLintConfig, type LintProblem } from '../../processes/lint/run';
import { AGENCIES_FILE, processFiles } from '../sla/catalog';
import { executableProcesses, readBpmn } from '../sla/moddle';

export interface DraftProblem {
  elementId: string;
  /** The `lltp:` (or zeebe) property the problem is about, when its message names one. */
  property: string | null;
  rule: string;
  message: string;
  /** The file of the problem: the draft, or an installed model the draft clashes with. */
  file: string;
}

export const DRAFT_FILE = 'ban-nhap.bpmn';

export const sha256Of = (xml: string): string => createHash('sha256').update(xml, 'utf8').digest('hex');

/** Known English messages of bpmnlint, camunda-compat and the project rules, in Vietnamese. */
const PHRASES: readonly [RegExp, string][] = [
  [/^Element is missing label\/name$/i, 'Phần tử chưa có tên'],
  [/^Element is not connected$/i, 'Phần tử không nối với luồng nào'],
  [/^Element is missing bpmndi$/i, 'Phần tử thiếu hình vẽ (BPMNDI)'],
  [/^Process is missing start event$/i, 'Quy trình thiếu sự kiện bắt đầu'],
  [/^Process is missing end event$/i, 'Quy trình thiếu sự kiện kết thúc'],
  [/^no executable process$/i, 'không có quy trình thực thi (isExecutable)'],
  [/ is not a working time \(unexpected "([^"]*)"\); write e\.g\. /i, ' không phải thời lượng làm việc (không hiểu "$1"); viết ví dụ '],
  [/ is missing \(or set ([^ ]+) for every variant\)$/i, ' bị thiếu (hoặc đặt $1 cho mọi loại hồ sơ)'],
  [/ is missing$/i, ' bị thiếu'],
  [/ is empty$/i, ' để trống'],
  [/ is set twice$/i, ' được đặt hai lần'],
  [/^must be after /i, 'phải sau '],
  [/ is not an SLA property \(known: /i, ' không phải thuộc tính SLA (các thuộc tính: '],
  [/ is not a process property \(known: /i, ' không phải thuộc tính của quy trình (các thuộc tính: '],
  [/ is not a deadline the product reads \(known: /i, ' không phải thời hạn sản phẩm đọc (các thời hạn: '],
  [/^process id must be /i, 'mã quy trình phải là '],
  [/ allotments add up to /i, ': tổng thời gian các bước là '],
  [/, over the target /i, ', vượt chỉ tiêu '],
  [/ must be /i, ' phải là '],
  [/^Element of type <([^>]+)> must have property <([^>]+)>$/i, 'Phần tử loại $1 phải có thuộc tính $2'],
  [/^Element of type <([^>]+)> must have one or more properties? <([^>]+)>$/i, 'Phần tử loại $1 phải có thuộc tính $2'],
  [/^Property <([^>]+)> must have value of <([^>]+)>$/i, 'Thuộc tính $1 phải có giá trị $2'],
  [/^Sequence flow is missing condition$/i, 'Luồng thiếu điều kiện'],
  [/^Incoming flows do not join$/i, 'Các luồng vào không được hợp lại'],
  [/^Gateway forks and joins$/i, 'Cổng vừa tách vừa hợp luồng'],
  [/^Duplicate sequence flows$/i, 'Luồng trùng lặp'],
];

const RULE_LABELS: Readonly<Record<string, string>> = {
  'bpmn-import': 'đọc tệp BPMN',
  'lltp/catalog': 'kiểm tra chéo giữa các mô hình',
  'lltp/budget': 'tổng thời gian theo chỉ tiêu',
};

/** A lint message in Vietnamese: known phrases translated, the rest kept after a Vietnamese lead. */
export function vietnameseMessage(message: string): string {
  let text = message;
  for (const [pattern, replacement] of PHRASES) text = text.replace(pattern, replacement);
  return text;
}

/** The property a message names: `lltp:sla.unit`, `lltp:step.x.allotment.ordinary`, `<zeebe:taskDefinition>` … */
export function propertyOf(message: string): string | null {
  const lltp = [...message.matchAll(/\blltp:[A-Za-z0-9_.-]*[A-Za-z0-9]/g)].map((m) => m[0]).sort((a, b) => b.length - a.length)[0];
  return lltp ?? /propert(?:y|ies) <([^>]+)>/i.exec(message)?.[1] ?? /<(zeebe:[A-Za-z]+)>/.exec(message)?.[1] ?? null;
}

/** `Phần tử checkDossier, thuộc tính lltp:sla.unit: … (quy tắc lltp/sla-complete)` */
export function describeProblem(p: DraftProblem): string {
  const rule = RULE_LABELS[p.rule] ? `${p.rule}: ${RULE_LABELS[p.rule]}` : p.rule;
  return `Phần tử ${p.elementId}${p.property ? `, thuộc tính ${p.property}` : ''}: ${p.message} (quy tắc ${rule})`;
}

function toDraftProblem(p: LintProblem, draftPath: string): DraftProblem {
  return {
    elementId: p.elementId,
    property: propertyOf(p.message),
    rule: p.rule,
    message: vietnameseMessage(p.message),
    file: p.file === draftPath ? DRAFT_FILE : path.basename(p.file),
  };
}

/** The executable process ids of a BPMN text (none when it does not read as BPMN). */
export async function processIdsOf(xml: string): Promise<string[]> {
  const { definitions } = await readBpmn(xml, DRAFT_FILE);
  return executableProcesses(definitions).map((p) => p.id ?? '');
}

/** The process ids of the installed files, by their text's SHA-256: the folder rarely changes between two what-ifs. */
const installedIds = new Map<string, string[]>();

async function processIdsOfFile(file: string): Promise<string[]> {
  const xml = await readFile(file, 'utf8');
  const key = sha256Of(xml);
  const known = installedIds.get(key);
  if (known) return known;
  const ids = await processIdsOf(xml);
  installedIds.set(key, ids);
  return ids;
}

/** Every failing problem of the draft (errors and warnings; information and stale images left out). */
export async function lintDraft(xml: string, processesDir: string): Promise<DraftProblem[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lltp-whatif-'));
  const draftPath = path.join(dir, DRAFT_FILE);
  try {
    const own = await lintXml(xml, draftPath, await readLintConfig(processesDir));
    const failing = own.filter((p) => p.category !== 'info');
    if (failing.length > 0) return failing.map((p) => toDraftProblem(p, draftPath));
    const draftIds = new Set(await processIdsOf(xml));
    await copyFile(path.join(processesDir, CONFIG_FILE), path.join(dir, CONFIG_FILE));
    await copyFile(path.join(processesDir, AGENCIES_FILE), path.join(dir, AGENCIES_FILE));
    for (const file of await processFiles(processesDir)) {
      const ids = await processIdsOfFile(file);
      if (!ids.some((id) => draftIds.has(id))) await copyFile(file, path.join(dir, path.basename(file)));
    }
    await writeFile(draftPath, xml, 'utf8');
    const catalog = await lintCatalog(dir, await processFiles(dir));
    return catalog.filter((p) => p.category !== 'info').map((p) => toDraftProblem(p, draftPath));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
