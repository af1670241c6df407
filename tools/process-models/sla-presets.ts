/**
 * Responsible units, roles and escalation chains used by the shipped models. Unit ids are the
 * calendar's unit ids (office hours per unit); roles are the staff roles of the app, plus the
 * external role `police` (Công an tỉnh, not a user of the app: alerts go to the chain).
 */
import type { SlaSpec, VariantTimes } from './dsl';

export const system = (allotment: VariantTimes = '0h'): SlaSpec => ({
  allotment,
  unit: 'he-thong-mot-cua',
  unitName: 'Hệ thống thông tin giải quyết TTHC tỉnh',
  role: 'administrator',
  escalation: 'administrator',
});

export const oneStopDesk = (allotment: VariantTimes): SlaSpec => ({
  allotment,
  unit: 'stp-mot-cua',
  unitName: 'Bộ phận Một cửa Sở Tư pháp',
  role: 'oneStopOfficer',
  escalation: 'headOfDivision > leader@4h',
});

export const lltpOfficer = (allotment: VariantTimes): SlaSpec => ({
  allotment,
  unit: 'stp-hctp',
  unitName: 'Phòng Hành chính tư pháp, Sở Tư pháp',
  role: 'lltpOfficer',
  escalation: 'headOfDivision > leader@4h',
});

export const headOfDivision = (allotment: VariantTimes): SlaSpec => ({
  allotment,
  unit: 'stp-hctp',
  unitName: 'Phòng Hành chính tư pháp, Sở Tư pháp',
  role: 'headOfDivision',
  escalation: 'leader > supervisor@4h',
});

export const stpLeader = (allotment: VariantTimes): SlaSpec => ({
  allotment,
  unit: 'stp-lanh-dao',
  unitName: 'Lãnh đạo Sở Tư pháp',
  role: 'leader',
  escalation: 'supervisor',
});

/** The police step: reminder to the police when due (first level), STP leader one working day later. */
export const police = (allotment: VariantTimes): SlaSpec => ({
  allotment,
  unit: 'ca-pv06',
  unitName: 'Công an tỉnh (Phòng PV06)',
  role: 'police',
  escalation: 'lltpOfficer > leader@1wd',
});
