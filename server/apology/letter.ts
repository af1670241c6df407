/**
 * The apology letter as a document: HTML from templates/letters/apology.html.hbs and PDF (A4)
 * with pdfmake and its bundled Roboto fonts, which carry the Vietnamese letters. Both show the
 * same fields. Stored once per dossier in `letters` (`apology:<code>`); the letter names the
 * citizen, so reading it is audited like any read of a dossier's details (server/dossiers).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { TDocumentDefinitions } from 'pdfmake/interfaces';
import type { Db } from '../db';
import { toJson } from '../db/tables';
import { pdfBytes, pdfPrinter } from '../pdf/printer';

export interface ApologyLetterFields {
  /** The letter's title, from the dossier's national procedure version (`lltp:form.apology.title`). */
  title: string;
  /** The line under the title naming the form and its legal basis (`lltp:form.apology.form`). */
  formNote: string;
  agencyName: string;
  place: string;
  letterNumber: string;
  issuedDateText: string;
  citizenName: string;
  dossierCode: string;
  receivedDate: string;
  channel: string;
  oldReturnDate: string;
  reason: string;
  newReturnDate: string;
  signerTitle: string;
  signerName: string;
}

export interface Letter {
  id: string;
  dossierCode: string;
  kind: 'apology';
  fields: ApologyLetterFields;
  html: string;
  pdf: Buffer;
  createdAt: Date;
}

export const apologyLetterId = (dossierCode: string): string => `apology:${dossierCode}`;

export async function findLetter(db: Db, id: string): Promise<Letter | null> {
  const row = await db.selectFrom('letters').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...row, fields: row.fields as unknown as ApologyLetterFields } : null;
}

export async function letterExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('letters').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** Stores a letter once; a second store of the same id changes nothing. */
export async function insertLetter(db: Db, letter: Letter): Promise<void> {
  await db
    .insertInto('letters')
    .values({ ...letter, fields: toJson(letter.fields) })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** The letter goes out before the due date (Decree 61/2018, Art. 19): the dossier *will* be late. */
const LATE_SENTENCE = (agency: string): string => `Tuy nhiên, ${agency} sẽ không trả được kết quả giải quyết hồ sơ của Ông/Bà đúng ngày hẹn nêu trên.`;

/** "PHIẾU XIN LỖI…" → "Phiếu xin lỗi…" for the document's metadata and the page title. */
function sentenceCase(title: string): string {
  const lower = title.toLocaleLowerCase('vi');
  return lower.charAt(0).toLocaleUpperCase('vi') + lower.slice(1);
}

let template: HandlebarsTemplateDelegate | null = null;

export function renderApologyHtml(fields: ApologyLetterFields): string {
  template ??= Handlebars.create().compile(readFileSync(path.resolve(__dirname, '../../templates/letters/apology.html.hbs'), 'utf8'), { strict: true });
  return template({ ...fields, pageTitle: sentenceCase(fields.title), lateSentence: LATE_SENTENCE(fields.agencyName) });
}

export async function renderApologyPdf(fields: ApologyLetterFields, createdAt: Date): Promise<Buffer> {
  const definition: TDocumentDefinitions = {
    pageSize: 'A4',
    pageMargins: [60, 50, 50, 50],
    info: { title: `${sentenceCase(fields.title)} — hồ sơ ${fields.dossierCode}`, author: fields.agencyName, creationDate: createdAt },
    defaultStyle: { font: 'Roboto', fontSize: 12, lineHeight: 1.3 },
    content: [
      {
        columns: [
          { width: '45%', alignment: 'center', stack: [{ text: fields.agencyName, bold: true }, `Số: ${fields.letterNumber}`] },
          { width: '55%', alignment: 'center', stack: [{ text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', bold: true }, { text: 'Độc lập - Tự do - Hạnh phúc', bold: true }, { text: `${fields.place}, ${fields.issuedDateText}`, italics: true }] },
        ],
      },
      { text: fields.title, bold: true, fontSize: 14, alignment: 'center', margin: [0, 24, 0, 2] },
      { text: `(${fields.formNote})`, alignment: 'center', margin: [0, 0, 0, 16] },
      { text: ['Kính gửi: Ông/Bà ', { text: fields.citizenName, bold: true }], margin: [0, 0, 0, 8] },
      {
        text: [
          `Ngày ${fields.receivedDate}, ${fields.agencyName} tiếp nhận hồ sơ đề nghị cấp Phiếu lý lịch tư pháp của Ông/Bà, mã hồ sơ `,
          { text: fields.dossierCode, bold: true },
          `, qua ${fields.channel}. Theo giấy tiếp nhận hồ sơ và hẹn trả kết quả, ngày hẹn trả kết quả là `,
          { text: fields.oldReturnDate, bold: true },
          '.',
        ],
        margin: [0, 0, 0, 8],
      },
      { text: LATE_SENTENCE(fields.agencyName), margin: [0, 0, 0, 8] },
      { text: 'Lý do chậm trả kết quả:', bold: true },
      { text: fields.reason, margin: [0, 0, 0, 8] },
      { text: [`${fields.agencyName} xin lỗi Ông/Bà vì sự chậm trễ này và xin hẹn lại thời gian trả kết quả vào ngày `, { text: fields.newReturnDate, bold: true }, '.'], margin: [0, 0, 0, 8] },
      { text: 'Kính mong Ông/Bà thông cảm.' },
      { margin: [240, 32, 0, 0], alignment: 'center', stack: [{ text: fields.signerTitle, bold: true }, { text: '(Ký, ghi rõ họ tên)', italics: true }, { text: fields.signerName, margin: [0, 48, 0, 0] }] },
    ],
  };
  return pdfBytes(pdfPrinter().createPdfKitDocument(definition));
}
