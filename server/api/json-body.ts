/**
 * Request bodies and query strings as the routes receive them: JSON bodies only in UTF-8 (a
 * declared charset other than utf-8, a UTF-16 or UTF-32 byte order mark, or bytes that are not
 * UTF-8 are refused 415, never decoded into something else and stored), nested at most
 * `MAX_JSON_DEPTH` deep, every string normalised to NFC; query strings likewise NFC.
 */
import { parse as parseQueryString } from 'node:querystring';
import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';
import { nfcDeep, shown, TooDeepError } from './text';

/** A body refused before any route sees it; `status` and `message` are the answer. */
export class BodyRefusedError extends Error {
  constructor(
    readonly status: 400 | 415,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'BodyRefusedError';
  }
}

const UTF8 = new Set(['utf-8', 'utf8']);

/** The charset parameter of a Content-Type header, lower case, if any. */
function declaredCharset(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType ?? '');
  return match?.[2]?.toLowerCase();
}

const BOMS: { name: string; bytes: number[] }[] = [
  { name: 'UTF-32LE', bytes: [0xff, 0xfe, 0x00, 0x00] },
  { name: 'UTF-32BE', bytes: [0x00, 0x00, 0xfe, 0xff] },
  { name: 'UTF-16LE', bytes: [0xff, 0xfe] },
  { name: 'UTF-16BE', bytes: [0xfe, 0xff] },
];

/** For express.json's `verify`: keeps the raw bytes (a partner's signature covers them); they must be UTF-8 without a UTF-16/32 byte order mark. */
function checkUtf8(req: object, _res: unknown, body: Buffer): void {
  (req as { rawBody?: Buffer }).rawBody = body;
  const bom = BOMS.find((b) => b.bytes.every((byte, i) => body[i] === byte));
  if (bom) throw new BodyRefusedError(415, 'charset.bom', `Nội dung JSON phải mã hóa UTF-8; nhận dấu BOM của ${bom.name}.`);
  if (!isUtf8(body)) throw new BodyRefusedError(415, 'charset.invalid', 'Nội dung JSON phải mã hóa UTF-8; nội dung gửi lên có byte không phải UTF-8.');
}

/** express.json (UTF-8 only, `limit`), then NFC on every string of the body. */
export function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit, verify: checkUtf8 });
  return (req, res, next) => {
    const charset = req.is('application/json') ? declaredCharset(req.header('content-type')) : undefined;
    if (charset !== undefined && !UTF8.has(charset)) {
      next(new BodyRefusedError(415, 'charset.unsupported', `Content-Type: nội dung JSON phải mã hóa UTF-8 (charset=utf-8); nhận charset=${shown(charset)}.`));
      return;
    }
    parse(req, res, (error?: unknown) => {
      if (error) {
        next(error);
        return;
      }
      try {
        if (req.body !== undefined) req.body = nfcDeep(req.body);
        next();
      } catch (refused) {
        next(refused instanceof TooDeepError ? new BodyRefusedError(400, 'entity.too.deep', refused.message) : refused);
      }
    });
  };
}

/** Express's "query parser" setting: Node's querystring (Express's "simple" parser), values in NFC. */
export const nfcQuery = (query: string): Record<string, unknown> => nfcDeep(parseQueryString(query)) as Record<string, unknown>;
