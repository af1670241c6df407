/**
 * The 766 index's fixture (issue 25, "Done when"): 32 dossiers of agency STP.KHA in two units,
 * scored for November 2026 (1/11 00:00 → 1/12 00:00, Việt Nam time), with the scores worked out
 * BY HAND from the written formulas (../shared/domain/regimes-766.md §4.4–4.5 and
 * server/scores/regimes.json), never from the code. The unit test judges it in memory, the
 * integration test writes it into PostgreSQL and reads the API: both must find these figures.
 *
 * Formulas: points = max × min(1, ratio ÷ fullAt).
 * - progress (20, fullAt 1): on time ÷ (received in the month, or open on 1/11). On time: ended
 *   on or before the appointment (never the one an apology moved); open on 1/12 → ended 1/12;
 *   a pending supplement request → ended at the request; a second request → late.
 * - online (12, fullAt 0.5): online with an electronic result by 1/12 ÷ received;
 * - paid online (6, fullAt 1): paid online ÷ received owing a fee (not exempt);
 * - payment transactions (2): 1 if any paid online;
 * - result file (6, fullAt 1): issued in the month with an e-result ÷ issued in the month;
 * - components (4, fullAt 0.8): online and (not issued by 1/12, or with its e-result) ÷ received;
 * - reuse (2, fullAt 0.8) and VNeID account (2, fullAt 1): through VNeID ÷ received;
 * - satisfaction (6, fullAt 0.9): 1 − (late + rated "không hài lòng") ÷ progress population,
 *   "không có dữ liệu" when no dossier of the scope is rated;
 * - sync (6): no dossier has a status feed: "không có dữ liệu" everywhere.
 *
 * November 2026 has no day off (the test's own calendar); 2/11 is a Monday; office hours
 * 07:30–11:30 and 13:00–17:00 (8 working hours a day).
 */
import type { DossierFacts766 } from '../../server/scores/judge';

export const at = (text: string): Date => new Date(`${text}+07:00`);

export const U1 = 'stp-mot-cua';
export const U2 = 'ubnd-cam-ranh';
export const AGENCY = 'STP.KHA';

export interface Fixture766 {
  n: number;
  name: string;
  unit: string;
  source: 'vneid' | 'nationalPortal' | 'provincialPortal' | 'inPerson' | 'post';
  received: string;
  /** The statutory due date planned from the clock's last start (null: clock stopped). */
  due: string | null;
  /** The appointment, when it differs from `due` (moved by an apology, or kept while stopped). */
  appointment?: string;
  apology?: string;
  finished?: string;
  outcome?: 'issued' | 'refused' | 'withdrawn' | 'unsupplemented';
  signed?: string;
  fee?: 'full' | 'reduced' | 'exempt';
  paidOnline?: boolean;
  rating?: 'satisfied' | 'neutral' | 'dissatisfied';
  supplements?: [string, string | null][];
  /** A timed step: element, name, unit, started, due, finished. */
  steps?: [string, string, string, string, string, string | null][];
}

const issued = (finished: string, signed: string | undefined = finished) => ({ finished, outcome: 'issued' as const, signed });

/** Per dossier: P = in the progress population, OT = on time, R = received in November. */
export const FIXTURE: Fixture766[] = [
  // ---- U1 (stp-mot-cua) ----
  // P OT R, online, e-result, issued in Nov, paid, VNeID, satisfied
  { n: 1, name: 'EARLY', unit: U1, source: 'vneid', received: '2026-11-02T08:00:00', due: '2026-11-16T17:00:00', ...issued('2026-11-05T10:00:00'), fee: 'full', paidOnline: true, rating: 'satisfied' },
  // finished exactly at the appointment: OT (≤)
  { n: 2, name: 'ON_TIME', unit: U1, source: 'vneid', received: '2026-11-03T08:00:00', due: '2026-11-17T17:00:00', ...issued('2026-11-17T17:00:00'), fee: 'full', paidOnline: true },
  // late 2.5 working hours (18/11 17:00 → 19/11 10:00: 07:30–10:00); its approval due 18/11 15:00 took 4.5 h more (15:00–17:00 + 07:30–10:00); rated "không hài lòng"
  {
    n: 3, name: 'LATE', unit: U1, source: 'vneid', received: '2026-11-04T08:00:00', due: '2026-11-18T17:00:00', ...issued('2026-11-19T10:00:00'), fee: 'full', paidOnline: true, rating: 'dissatisfied',
    steps: [
      ['checkDossier', 'Kiểm tra hồ sơ', U1, '2026-11-04T08:00:00', '2026-11-04T12:00:00', '2026-11-04T09:00:00'],
      ['approveCertificate', 'Phê duyệt cấp Phiếu', 'stp-lanh-dao', '2026-11-18T08:00:00', '2026-11-18T15:00:00', '2026-11-19T10:00:00'],
    ],
  },
  // in person (paper), late against 19/11 17:00 although the apology moved the appointment to 24/11: late 10.5 h (Fri 20/11 8 h + Mon 23/11 07:30–10:00); e-certificate signed; paid at the desk
  { n: 4, name: 'LATE_WITH_APOLOGY', unit: U1, source: 'inPerson', received: '2026-11-05T08:00:00', due: '2026-11-19T17:00:00', appointment: '2026-11-24T17:00:00', apology: '2026-11-18T10:00:00', ...issued('2026-11-23T10:00:00'), fee: 'full', paidOnline: false },
  // national portal, open past its appointment on 1/12: late by 5 working days = 40 h (24–27/11, 30/11); fee unknown: owed, not paid online
  { n: 5, name: 'OPEN_PAST_DUE', unit: U1, source: 'nationalPortal', received: '2026-11-09T08:00:00', due: '2026-11-23T17:00:00' },
  // open, due 11/12: OT
  { n: 6, name: 'OPEN_NOT_YET_DUE', unit: U1, source: 'vneid', received: '2026-11-27T08:00:00', due: '2026-12-11T17:00:00', fee: 'full', paidOnline: true },
  // one supplement (3/11 → 6/11), the appointment re-planned to 20/11 17:00, issued 19/11: OT
  { n: 7, name: 'ONE_SUPPLEMENT', unit: U1, source: 'vneid', received: '2026-11-02T09:00:00', due: '2026-11-20T17:00:00', ...issued('2026-11-19T16:00:00'), fee: 'full', paidOnline: true, supplements: [['2026-11-03T09:00:00', '2026-11-06T09:00:00']] },
  // one supplement pending on 1/12 (requested 17/11 10:00): ended at the request, before the appointment kept (30/11 17:00): OT
  { n: 8, name: 'SUPPLEMENT_PENDING', unit: U1, source: 'vneid', received: '2026-11-16T08:00:00', due: null, appointment: '2026-11-30T17:00:00', fee: 'reduced', paidOnline: true, supplements: [['2026-11-17T10:00:00', null]] },
  // two supplement requests: late although issued long before its appointment
  {
    n: 9, name: 'TWO_SUPPLEMENTS', unit: U1, source: 'vneid', received: '2026-11-02T10:00:00', due: '2026-11-20T17:00:00', ...issued('2026-11-12T10:00:00'), fee: 'full', paidOnline: true,
    supplements: [['2026-11-03T10:00:00', '2026-11-04T10:00:00'], ['2026-11-05T10:00:00', '2026-11-06T10:00:00']],
  },
  // refused (form 03) within time: OT; no e-result; rated neutral
  { n: 10, name: 'REFUSED_ON_TIME', unit: U1, source: 'vneid', received: '2026-11-06T08:00:00', due: '2026-11-20T17:00:00', finished: '2026-11-09T10:00:00', outcome: 'refused', fee: 'full', paidOnline: true, rating: 'neutral' },
  // withdrawn by the citizen (post, paper) within time: OT; fee unknown
  { n: 11, name: 'WITHDRAWN', unit: U1, source: 'post', received: '2026-11-06T09:00:00', due: '2026-11-20T17:00:00', finished: '2026-11-10T09:00:00', outcome: 'withdrawn' },
  // fee exempt: owes nothing; satisfied
  { n: 12, name: 'FEE_EXEMPT', unit: U1, source: 'vneid', received: '2026-11-10T08:00:00', due: '2026-11-24T17:00:00', ...issued('2026-11-20T08:00:00'), fee: 'exempt', paidOnline: false, rating: 'satisfied' },
  // issued without its electronic result
  { n: 13, name: 'NO_RESULT_FILE', unit: U1, source: 'vneid', received: '2026-11-10T09:00:00', due: '2026-11-24T17:00:00', finished: '2026-11-20T09:00:00', outcome: 'issued', fee: 'full', paidOnline: true },
  // received in October, issued 4/11 after its appointment 3/11 17:00: P, late, not R
  { n: 14, name: 'CARRIED_OVER_LATE', unit: U1, source: 'vneid', received: '2026-10-20T08:00:00', due: '2026-11-03T17:00:00', ...issued('2026-11-04T08:00:00'), fee: 'full', paidOnline: true },
  // received in October, still open past 9/11: P, late, not R
  { n: 15, name: 'CARRIED_OVER_OPEN', unit: U1, source: 'inPerson', received: '2026-10-26T08:00:00', due: '2026-11-09T17:00:00', fee: 'full', paidOnline: false },
  // received and finished in October: in no population
  { n: 16, name: 'OCTOBER_ONLY', unit: U1, source: 'vneid', received: '2026-10-01T08:00:00', due: '2026-10-15T17:00:00', ...issued('2026-10-14T08:00:00'), fee: 'full', paidOnline: true },
  // issued 3/12 (after the month): open on 1/12, not yet due (9/12): OT; no e-result by 1/12, not issued by then
  { n: 17, name: 'DONE_AFTER_MONTH', unit: U1, source: 'vneid', received: '2026-11-25T08:00:00', due: '2026-12-09T17:00:00', ...issued('2026-12-03T10:00:00'), fee: 'full', paidOnline: true },
  // issued 2/12, past its appointment 24/11: open and late on 1/12
  { n: 18, name: 'DONE_AFTER_MONTH_LATE', unit: U1, source: 'inPerson', received: '2026-11-10T08:00:00', due: '2026-11-24T17:00:00', ...issued('2026-12-02T10:00:00'), fee: 'full', paidOnline: false },
  // on time but rated "không hài lòng"
  { n: 19, name: 'DISSATISFIED_ON_TIME', unit: U1, source: 'vneid', received: '2026-11-11T08:00:00', due: '2026-11-25T17:00:00', ...issued('2026-11-13T08:00:00'), fee: 'full', paidOnline: true, rating: 'dissatisfied' },
  // provincial portal, online, not paid online
  { n: 20, name: 'PROVINCIAL_UNPAID', unit: U1, source: 'provincialPortal', received: '2026-11-12T08:00:00', due: '2026-11-26T17:00:00', ...issued('2026-11-26T16:00:00'), fee: 'full', paidOnline: false },
  // ---- U2 (ubnd-cam-ranh): nobody rated ----
  { n: 21, name: 'U2_EARLY', unit: U2, source: 'vneid', received: '2026-11-02T08:00:00', due: '2026-11-16T17:00:00', ...issued('2026-11-04T08:00:00'), fee: 'full', paidOnline: true },
  { n: 22, name: 'U2_LATE_PAPER', unit: U2, source: 'inPerson', received: '2026-11-02T08:00:00', due: '2026-11-16T17:00:00', ...issued('2026-11-18T08:00:00'), fee: 'full', paidOnline: false },
  { n: 23, name: 'U2_OPEN_NOT_YET_DUE', unit: U2, source: 'post', received: '2026-11-30T09:00:00', due: '2026-12-14T17:00:00' },
  { n: 24, name: 'U2_OPEN_PAST_DUE', unit: U2, source: 'vneid', received: '2026-11-03T08:00:00', due: '2026-11-17T17:00:00', fee: 'full', paidOnline: true },
  // refused after its appointment: late
  { n: 25, name: 'U2_REFUSED_LATE', unit: U2, source: 'vneid', received: '2026-11-03T08:00:00', due: '2026-11-17T17:00:00', finished: '2026-11-18T10:00:00', outcome: 'refused', fee: 'full', paidOnline: true },
  // one supplement never answered, closed 20/11 (the stop ends at the close): ended at the request 5/11 ≤ 18/11: OT
  {
    n: 26, name: 'U2_UNSUPPLEMENTED', unit: U2, source: 'vneid', received: '2026-11-04T08:00:00', due: null, appointment: '2026-11-18T17:00:00', finished: '2026-11-20T08:00:00', outcome: 'unsupplemented', fee: 'full', paidOnline: true,
    supplements: [['2026-11-05T08:00:00', '2026-11-20T08:00:00']],
  },
  // withdrawn after its appointment: late
  { n: 27, name: 'U2_WITHDRAWN_LATE', unit: U2, source: 'inPerson', received: '2026-11-04T09:00:00', due: '2026-11-18T17:00:00', finished: '2026-11-19T09:00:00', outcome: 'withdrawn' },
  { n: 28, name: 'U2_NATIONAL_PAID', unit: U2, source: 'nationalPortal', received: '2026-11-05T08:00:00', due: '2026-11-19T17:00:00', ...issued('2026-11-19T11:00:00'), fee: 'full', paidOnline: true },
  { n: 29, name: 'U2_VNEID_UNPAID', unit: U2, source: 'vneid', received: '2026-11-05T09:00:00', due: '2026-11-19T17:00:00', ...issued('2026-11-12T09:00:00'), fee: 'full', paidOnline: false },
  // a second supplement request, pending: late
  {
    n: 30, name: 'U2_TWO_SUPPLEMENTS_OPEN', unit: U2, source: 'vneid', received: '2026-11-06T08:00:00', due: null, appointment: '2026-11-27T17:00:00', fee: 'full', paidOnline: true,
    supplements: [['2026-11-09T08:00:00', '2026-11-10T08:00:00'], ['2026-11-16T08:00:00', null]],
  },
  // open past 23/11 17:00; the apology moved the appointment to 27/11, still late
  { n: 31, name: 'U2_LATE_WITH_APOLOGY_OPEN', unit: U2, source: 'vneid', received: '2026-11-09T08:00:00', due: '2026-11-23T17:00:00', appointment: '2026-11-27T17:00:00', apology: '2026-11-20T10:00:00', fee: 'full', paidOnline: true },
  { n: 32, name: 'U2_EARLY_2', unit: U2, source: 'vneid', received: '2026-11-16T08:00:00', due: '2026-11-30T17:00:00', ...issued('2026-11-18T08:00:00'), fee: 'full', paidOnline: true },
];

export interface ExpectedIndicator {
  /** Points to 0.01; null: "không có dữ liệu". */
  points: number | null;
  ratio: number | null;
}
export type Expected = Record<string, ExpectedIndicator>;

const NO_DATA: ExpectedIndicator = { points: null, ratio: null };

/**
 * U1: P = 19 (1–15, 17–20); OT = 12 (1, 2, 6, 7, 8, 10, 11, 12, 13, 17, 19, 20); late 7 (3, 4, 5, 9, 14, 15, 18).
 * R = 17 (P without 14, 15). Online: 14 (all R but 4, 11, 18); with an e-result by 1/12: 1, 2, 3, 7, 9, 12, 19, 20 = 8.
 * Owing a fee: R without 12 = 16; paid online: 1, 2, 3, 6, 7, 8, 9, 10, 13, 17, 19 = 11.
 * Issued in November: 1, 2, 3, 4, 7, 9, 12, 13, 14, 19, 20 = 11; with e-result: all but 13 = 10.
 * Components: the 14 online but 13 (issued, no e-result) = 13. VNeID among R: 1, 2, 3, 6, 7, 8, 9, 10, 12, 13, 17, 19 = 12.
 * Rated: 1, 3, 10, 12, 19 = 5, "không hài lòng": 3, 19 = 2.
 */
export const EXPECTED_U1: Expected = {
  'progress.onTime': { ratio: 12 / 19, points: 12.63 }, // 20 × 12/19 = 12.6316
  'online.submission': { ratio: 8 / 17, points: 11.29 }, // 8/17 = 0.4706 < 0.5: 12 × 0.4706/0.5 = 11.2941
  'payment.dossiersPaidOnline': { ratio: 11 / 16, points: 4.13 }, // 6 × 0.6875 = 4.125
  'payment.transactions': { ratio: 1, points: 2 },
  'digitisation.resultFile': { ratio: 10 / 11, points: 5.45 }, // 6 × 10/11 = 5.4545
  'digitisation.components': { ratio: 13 / 17, points: 3.82 }, // 13/17 = 0.7647 < 0.8: 4 × 0.7647/0.8 = 3.8235
  'digitisation.reuse': { ratio: 12 / 17, points: 1.76 }, // 12/17 = 0.7059 < 0.8: 2 × 0.7059/0.8 = 1.7647
  'digitisation.vneidAccount': { ratio: 12 / 17, points: 1.41 }, // 2 × 0.7059 = 1.4118
  'satisfaction.handling': { ratio: 10 / 19, points: 3.51 }, // 1 − (7 + 2)/19 = 10/19 = 0.5263: 6 × 0.5263/0.9 = 3.5088
  'transparency.sync': NO_DATA,
};
/** 12.6316 + 11.2941 + 4.125 + 2 + 5.4545 + 3.8235 + 1.7647 + 1.4118 + 3.5088 = 46.0140, of 60 (the
 * product-fed indicators' 20 + 12 + 6 + 2 + 6 + 4 + 2 + 2 + 6 + 6 = 66, less sync's 6). */
export const TOTAL_U1 = { points: 46.01, max: 60 };

/**
 * U2: P = R = 12 (21–32); OT = 6 (21, 23, 26, 28, 29, 32); late 6 (22, 24, 25, 27, 30, 31).
 * Online: 21, 24, 25, 26, 28, 29, 30, 31, 32 = 9; with e-result: 21, 28, 29, 32 = 4.
 * Owing a fee: 12 (none exempt; 23 and 27 unknown count as owed); paid online: 21, 24, 25, 26, 28, 30, 31, 32 = 8.
 * Issued in November: 21, 22, 28, 29, 32 = 5, all with e-result. Components: all 9 online (none issued without e-result).
 * VNeID: 21, 24, 25, 26, 29, 30, 31, 32 = 8. Nobody rated: satisfaction "không có dữ liệu".
 */
export const EXPECTED_U2: Expected = {
  'progress.onTime': { ratio: 6 / 12, points: 10 }, // 20 × 0.5
  'online.submission': { ratio: 4 / 12, points: 8 }, // 0.3333/0.5 × 12 = 8
  'payment.dossiersPaidOnline': { ratio: 8 / 12, points: 4 }, // 6 × 2/3
  'payment.transactions': { ratio: 1, points: 2 },
  'digitisation.resultFile': { ratio: 1, points: 6 },
  'digitisation.components': { ratio: 9 / 12, points: 3.75 }, // 4 × 0.75/0.8
  'digitisation.reuse': { ratio: 8 / 12, points: 1.67 }, // 2 × 0.6667/0.8 = 1.6667
  'digitisation.vneidAccount': { ratio: 8 / 12, points: 1.33 }, // 2 × 0.6667 = 1.3333
  'satisfaction.handling': NO_DATA,
  'transparency.sync': NO_DATA,
};
/** 10 + 8 + 4 + 2 + 6 + 3.75 + 1.6667 + 1.3333 = 36.75, of 54 (66 less satisfaction's and sync's 6). */
export const TOTAL_U2 = { points: 36.75, max: 54 };

/**
 * The agency (U1 + U2): P = 31, OT = 18; R = 29; online with e-result 12; owing 28, paid 19;
 * issued 16, with e-result 15; components 22; VNeID 20; rated 5, "không hài lòng" 2, late 13.
 */
export const EXPECTED_AGENCY: Expected = {
  'progress.onTime': { ratio: 18 / 31, points: 11.61 }, // 20 × 0.5806 = 11.6129
  'online.submission': { ratio: 12 / 29, points: 9.93 }, // 0.4138/0.5 × 12 = 9.9310
  'payment.dossiersPaidOnline': { ratio: 19 / 28, points: 4.07 }, // 6 × 0.6786 = 4.0714
  'payment.transactions': { ratio: 1, points: 2 },
  'digitisation.resultFile': { ratio: 15 / 16, points: 5.63 }, // 6 × 0.9375 = 5.625
  'digitisation.components': { ratio: 22 / 29, points: 3.79 }, // 0.7586/0.8 × 4 = 3.7931
  'digitisation.reuse': { ratio: 20 / 29, points: 1.72 }, // 0.6897/0.8 × 2 = 1.7241
  'digitisation.vneidAccount': { ratio: 20 / 29, points: 1.38 }, // 2 × 0.6897 = 1.3793
  'satisfaction.handling': { ratio: 16 / 31, points: 3.44 }, // 1 − (13 + 2)/31 = 0.5161: 6 × 0.5161/0.9 = 3.4409
  'transparency.sync': NO_DATA,
};
/** 11.6129 + 9.9310 + 4.0714 + 2 + 5.625 + 3.7931 + 1.7241 + 1.3793 + 3.4409 = 43.5777, of 60. */
export const TOTAL_AGENCY = { points: 43.58, max: 60 };

/**
 * U1 explained: each late dossier costs 20/19 = 1.05 progress points (one more on time: 13/19);
 * 13 costs 6 × (11 − 10)/11 = 0.55 result-file points; 3 and 19 cost satisfaction
 * 6 × (11/19)/0.9 − 6 × (10/19)/0.9 = 3.8596 − 3.5088 = 0.35 each.
 */
export const EXPLAINED_U1: { indicator: string; name: string; reason: string; points: number }[] = [
  { indicator: 'progress.onTime', name: 'LATE', reason: 'trễ 4,5 giờ làm việc ở bước Phê duyệt cấp Phiếu; trễ hẹn trả 2,5 giờ làm việc', points: 1.05 },
  { indicator: 'progress.onTime', name: 'LATE_WITH_APOLOGY', reason: 'trễ hẹn trả 10,5 giờ làm việc; đã có văn bản xin lỗi', points: 1.05 },
  { indicator: 'progress.onTime', name: 'OPEN_PAST_DUE', reason: 'chưa xong, quá hạn hẹn trả 40 giờ làm việc', points: 1.05 },
  { indicator: 'progress.onTime', name: 'TWO_SUPPLEMENTS', reason: 'yêu cầu bổ sung 2 lần (từ lần thứ hai tính là trễ hạn)', points: 1.05 },
  // 3/11 17:00 → 4/11 08:00: 07:30–08:00
  { indicator: 'progress.onTime', name: 'CARRIED_OVER_LATE', reason: 'trễ hẹn trả 0,5 giờ làm việc', points: 1.05 },
  // 9/11 17:00 → 1/12 00:00: 10–13/11 (4), 16–20/11 (5), 23–27/11 (5), 30/11 (1) = 15 days = 120 h
  { indicator: 'progress.onTime', name: 'CARRIED_OVER_OPEN', reason: 'chưa xong, quá hạn hẹn trả 120 giờ làm việc', points: 1.05 },
  // 24/11 17:00 → 1/12 00:00: 25–27/11, 30/11 = 4 days = 32 h
  { indicator: 'progress.onTime', name: 'DONE_AFTER_MONTH_LATE', reason: 'chưa xong, quá hạn hẹn trả 32 giờ làm việc', points: 1.05 },
  { indicator: 'digitisation.resultFile', name: 'NO_RESULT_FILE', reason: 'không đính kèm kết quả điện tử', points: 0.55 },
  { indicator: 'satisfaction.handling', name: 'LATE', reason: 'đánh giá không hài lòng', points: 0.35 },
  { indicator: 'satisfaction.handling', name: 'DISSATISFIED_ON_TIME', reason: 'đánh giá không hài lòng', points: 0.35 },
];

export const code = (f: Fixture766): string => `STP.KHA-261101-${String(f.n).padStart(4, '0')}`;
const when = (text: string | undefined | null): Date | null => (text ? at(text) : null);

/** The dossier as the read model holds it (what the SQL reads; what ./judge.ts takes). */
export function factsOf(f: Fixture766): DossierFacts766 {
  const online = f.source === 'vneid' || f.source === 'nationalPortal' || f.source === 'provincialPortal';
  return {
    code: code(f),
    agencyCode: AGENCY,
    unitId: f.unit,
    source: f.source,
    channel: online ? 'online' : 'paper',
    receivedAt: at(f.received),
    status: f.finished ? 'closed' : 'open',
    outcome: f.outcome ?? null,
    finishedAt: when(f.finished),
    statutoryDueAt: when(f.due),
    appointmentAt: when(f.appointment ?? f.due),
    apologyIssuedAt: when(f.apology),
    signedAt: when(f.signed),
    feeCategory: f.fee ?? null,
    feePaidOnline: f.paidOnline ?? null,
    citizenRating: f.rating ?? null,
    citizenRatedAt: f.rating ? when(f.finished ?? f.received) : null,
    portalSyncDelayMinutes: null,
    portalSyncedAt: null,
    supplements: (f.supplements ?? []).map(([from, to]) => ({ startedAt: at(from), endedAt: when(to) })),
  };
}

export const NOVEMBER = { from: at('2026-11-01T00:00:00'), to: at('2026-12-01T00:00:00') };
