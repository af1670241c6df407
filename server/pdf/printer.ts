/**
 * The one pdfmake printer of the app, with pdfmake's bundled Roboto fonts (they carry the
 * Vietnamese letters). Fonts are read once, from the package: nothing is fetched at run time.
 */
import PdfPrinter from 'pdfmake';

let printer: PdfPrinter | null = null;

export function pdfPrinter(): PdfPrinter {
  if (!printer) {
    const vfs = require('pdfmake/build/vfs_fonts') as Record<string, string>; // eslint-disable-line @typescript-eslint/no-require-imports
    const font = (name: string): Buffer => Buffer.from(vfs[name] ?? '', 'base64');
    printer = new PdfPrinter({ Roboto: { normal: font('Roboto-Regular.ttf'), bold: font('Roboto-Medium.ttf'), italics: font('Roboto-Italic.ttf'), bolditalics: font('Roboto-MediumItalic.ttf') } });
  }
  return printer;
}

/** Ends a PDFKit document (as pdfmake made it) and gives its bytes. */
export function pdfBytes(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
