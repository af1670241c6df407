/**
 * The inspection service as the API, the CLI and the monitor build it from the configuration:
 * the database, the process catalog (due dates, units, the provincial allotments), the working
 * calendars, and the export writers.
 */
import type { Config } from '../config';
import { exportLimitsOf } from './limits';
import type { Db } from '../db';
import type { WorkingCalendars } from '../calendar/working-calendar';
import { NoAgencyInForceError, type ProcessCatalog } from '../sla/catalog';
import { writeExport } from './export';
import { modelUnits, type FilterVocabulary } from './filters';
import type { InspectionServiceDeps } from './service';

/**
 * The name of the body of AGENCY_CODE's lineage that received dossiers at an instant (a report
 * for a 2024 period names the Sở Tư pháp, one for 2026 the police), as the agency table gives
 * it; the configured agency's name, or its code, when none was in force then.
 */
export function agencyNameOf(config: Pick<Config, 'AGENCY_CODE'>, catalog: ProcessCatalog): (at: Date) => string {
  const configured = catalog.agencies.find((a) => a.code === config.AGENCY_CODE);
  return (at) => {
    if (!configured) return config.AGENCY_CODE;
    try {
      return catalog.agencyInForce(configured.code, at).name;
    } catch (error) {
      if (error instanceof NoAgencyInForceError) return configured.name;
      throw error;
    }
  };
}

export function inspectionService(input: { db: Db; config: Pick<Config, 'AGENCY_CODE' | 'EXPORT_MAX_ROWS_PDF' | 'EXPORT_MAX_ROWS_XLSX' | 'EXPORT_MAX_ROWS_CSV' | 'EXPORT_MAX_CONCURRENT' | 'EXPORT_MAX_CONCURRENT_PER_USER' | 'EXPORT_RETRY_AFTER_SECONDS'>; catalog: ProcessCatalog; calendars: () => Promise<WorkingCalendars>; now: () => Date }): InspectionServiceDeps {
  return { db: input.db, catalog: input.catalog, calendars: input.calendars, now: input.now, writeExport, agencyName: agencyNameOf(input.config, input.catalog), maxRows: exportLimitsOf(input.config).maxRows };
}

/** What a filter may name: the agencies, procedures and versions of the catalog, the units its steps name. */
export function filterVocabulary(catalog: ProcessCatalog): FilterVocabulary {
  return { catalog, units: modelUnits(catalog) };
}
