/**
 * What callers of the inspection exports use: `writeExport` writes a document in the format asked
 * for (CSV, XLSX or PDF), `verifyExport` tells whether a file's rows are still the ones exported.
 * The writers and readers behind them are one file per format (csv.ts, xlsx.ts, pdf.ts and their
 * `-read` counterparts).
 */
import { writeCsv } from './csv';
import type { ExportDocument, ExportFormat, WrittenExport } from './model';
import { writePdf } from './pdf';
import { writeXlsx } from './xlsx';

const WRITERS: Record<ExportFormat, (doc: ExportDocument) => Promise<WrittenExport>> = {
  csv: writeCsv,
  xlsx: writeXlsx,
  pdf: writePdf,
};

/**
 * Writes `doc` as a file of `format`. Rejects with ExportDocumentError (a document no file could hold)
 * or ExportCellError (a cell not of its column's type), and then gives no file at all.
 */
export function writeExport(format: ExportFormat, doc: ExportDocument): Promise<WrittenExport> {
  return WRITERS[format](doc);
}

export { EXPORT_FORMATS, CELL_TYPES } from './model';
export type {
  CellType,
  CellValue,
  ExportColumn,
  ExportDocument,
  ExportFormat,
  ExportRow,
  ExportSheet,
  ExportSummaryItem,
  WrittenExport,
} from './model';
export { ExportDocumentError, validateDocument } from './document';
export { ExportCellError } from './digest';
export { detectFormat, verifyExport } from './verify';
export type { RecordedExport, VerifyOptions, VerifyResult } from './verify';
