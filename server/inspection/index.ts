/**
 * The inspection service as the API, the CLI and the monitor build it from the configuration:
 * the database, the process catalog (due dates, units, the provincial allotments), the working
 * calendars, and the export writers.
 */
import type { Config } from '../config';
import { exportLimitsOf } from './limits';
import type { Db } from '../db';
import type { WorkingCalendars } from '../calendar/working-calendar';
import type { ProcessCatalog } from '../sla/catalog';
import { writeExport } from './export';
import { modelUnits, type FilterVocabulary } from './filters';
import type { InspectionServiceDeps } from './service';

/** The agency's name as the models' agency table gives it; its code when the table has none. */
export function agencyNameOf(config: Pick<Config, 'AGENCY_CODE'>, catalog: ProcessCatalog): string {
  return catalog.agencies.find((a) => a.code === config.AGENCY_CODE)?.name ?? config.AGENCY_CODE;
}

export function inspectionService(input: { db: Db; config: Pick<Config, 'AGENCY_CODE' | 'EXPORT_MAX_ROWS_PDF' | 'EXPORT_MAX_ROWS_XLSX' | 'EXPORT_MAX_ROWS_CSV' | 'EXPORT_MAX_CONCURRENT' | 'EXPORT_MAX_CONCURRENT_PER_USER' | 'EXPORT_RETRY_AFTER_SECONDS'>; catalog: ProcessCatalog; calendars: () => Promise<WorkingCalendars>; now: () => Date }): InspectionServiceDeps {
  return { db: input.db, catalog: input.catalog, calendars: input.calendars, now: input.now, writeExport, agencyName: agencyNameOf(input.config, input.catalog), maxRows: exportLimitsOf(input.config).maxRows };
}

/** What a filter may name: the agencies, procedures and versions of the catalog, the units its steps name. */
export function filterVocabulary(catalog: ProcessCatalog): FilterVocabulary {
  return { catalog, units: modelUnits(catalog) };
}
