/**
 * PDFs in the export tests: their pages read with pdfjs, and edits made as a forger with a PDF
 * library would make them: one stream's decoded content changed, compressed again, its length and
 * the cross-reference table rewritten, so readers open the result as a sound file (no repair) and
 * only the edit is left for the verifier to find.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import type { TextItem } from 'pdfjs-dist/types/src/display/api';

const OBJECT = /(\d+) 0 obj\n([\s\S]*?)\nendobj\n/g;
const STREAM = /^([\s\S]*?)\nstream\n([\s\S]*)\nendstream$/;

type Edit = (content: Buffer, dictionary: string) => Buffer | null;

function editObject(body: string, edit: Edit): string | null {
  const stream = STREAM.exec(body);
  if (!stream) return null;
  const [, dictionary = '', data = ''] = stream;
  const compressed = dictionary.includes('/FlateDecode');
  const raw = Buffer.from(data, 'latin1');
  const edited = edit(compressed ? inflateSync(raw) : raw, dictionary);
  if (!edited) return null;
  const encoded = compressed ? deflateSync(edited) : edited;
  const newDictionary = dictionary.replace(/\/Length \d+/, `/Length ${encoded.length}`);
  return `${newDictionary}\nstream\n${encoded.toString('latin1')}\nendstream`;
}

function crossReference(offsets: Map<number, number>, trailer: string, start: number): string {
  const size = Math.max(...offsets.keys()) + 1;
  const entries = Array.from({ length: size }, (_, id) => {
    const offset = offsets.get(id);
    return offset === undefined ? '0000000000 65535 f \n' : `${String(offset).padStart(10, '0')} 00000 n \n`;
  });
  return `xref\n0 ${size}\n${entries.join('')}trailer\n${trailer}\nstartxref\n${start}\n%%EOF\n`;
}

/** The PDF with the one stream `edit` changes (it returns null for the streams it leaves alone). */
export function editPdfStream(pdf: Buffer, edit: Edit): Buffer {
  const text = pdf.toString('latin1');
  const trailer = /trailer\n(<<[\s\S]*?>>)\nstartxref/.exec(text)?.[1];
  if (!trailer) throw new Error('no trailer');
  const objects = [...text.matchAll(OBJECT)];
  let out = text.slice(0, objects[0]?.index ?? 0);
  const offsets = new Map<number, number>();
  let edits = 0;
  for (const [, id = '', body = ''] of objects) {
    const edited = edits === 0 ? editObject(body, edit) : null;
    if (edited !== null) edits += 1;
    offsets.set(Number(id), Buffer.byteLength(out, 'latin1'));
    out += `${id} 0 obj\n${edited ?? body}\nendobj\n`;
  }
  if (edits !== 1) throw new Error('no stream was edited');
  return Buffer.from(out + crossReference(offsets, trailer, Buffer.byteLength(out, 'latin1')), 'latin1');
}

/** Exchanges the first two glyph codes of a TJ array, wherever kerning splits its strings. */
function swapFirstGlyphs(array: string): string {
  const codes = [...array.matchAll(/<([0-9a-f]+)>/g)].flatMap(([, hex = '']) => hex.match(/.{4}/g) ?? []);
  const [first, second] = codes;
  if (first === undefined || second === undefined || first === second) {
    throw new Error('no two different glyphs to swap');
  }
  [codes[0], codes[1]] = [second, first];
  return array.replace(/<([0-9a-f]+)>/g, (_, hex: string) => `<${codes.splice(0, hex.length / 4).join('')}>`);
}

/**
 * In a page's content, exchanges the first two glyphs of the text drawn at (x, y), as pdfjs gives
 * a text item's position: the word prints with two letters exchanged.
 */
export function swapGlyphsAt(x: number, y: number): Edit {
  return (content) => {
    const text = content.toString('latin1');
    for (const match of text.matchAll(/1 0 0 1 ([\d.]+) ([\d.]+) Tm\n\/F\d+ [\d.]+ Tf\n(\[[^\]]*\]) TJ/g)) {
      const [whole, tx = '', ty = '', array = ''] = match;
      if (Math.abs(Number(tx) - x) > 0.01 || Math.abs(Number(ty) - y) > 0.01) continue;
      const edited = whole.slice(0, whole.length - array.length - 3) + swapFirstGlyphs(array) + ' TJ';
      return Buffer.from(text.slice(0, match.index) + edited + text.slice(match.index + whole.length), 'latin1');
    }
    return null;
  };
}

/** The pages of a PDF as pdfjs reads them: their text items. */
export async function pdfPages(pdf: Buffer): Promise<{ items: TextItem[] }[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const document = await pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: 0, disableFontFace: true }).promise;
  try {
    const pages = [];
    for (let number = 1; number <= document.numPages; number += 1) {
      const page = await document.getPage(number);
      const items = (await page.getTextContent()).items.filter((item): item is TextItem => 'str' in item);
      pages.push({ items });
    }
    return pages;
  } finally {
    await document.destroy();
  }
}

export async function pdfPageCount(pdf: Buffer): Promise<number> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const document = await pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: 0, disableFontFace: true }).promise;
  const count = document.numPages;
  await document.destroy();
  return count;
}
