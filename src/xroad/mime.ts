import crypto from 'node:crypto';
import { AppError } from '../errors/app-error.js';
import type { Text } from '../i18n/messages.js';
import type { Attachment } from '../operations/types.js';

/**
 * MIME for SOAP with attachments (SwA, swaRef) and MTOM/XOP (X-Road message protocol 4.0 §2.4),
 * and multipart/form-data for the JSON API. Bytes in, bytes out: the root part is returned exactly
 * as received so that the signature is checked over what was sent; limits on the number of parts,
 * their size and their headers are checked while splitting, before anything is copied.
 */

export interface ContentType {
  /** Lower-cased `type/subtype`. */
  type: string;
  /** Parameters with lower-cased names, values unquoted. */
  params: Map<string, string>;
}

export interface MimePart {
  /** Header names lower-cased; the last of a repeated header wins, except that repeats are refused for the ones below. */
  headers: Map<string, string>;
  contentType: ContentType;
  /** Content-ID without angle brackets. */
  contentId?: string;
  /** Content-Disposition parameters (form-data: name, filename). */
  disposition?: Map<string, string>;
  /** Decoded body (Content-Transfer-Encoding applied). */
  body: Buffer;
}

export interface MimeLimits {
  maxAttachments: number;
  maxAttachmentBytes: number;
}

const MAX_HEADER_BLOCK = 8 * 1024;
const MAX_HEADERS_PER_PART = 32;

const txt = (en: string, ru: string, ky: string): Text => ({ en, ru, ky });
const MALFORMED = txt('The multipart message is malformed.', 'Составное (multipart) сообщение имеет неверную структуру.', 'Курама (multipart) билдирүүнүн түзүлүшү туура эмес.');

function malformed(why: string): AppError {
  return new AppError('INVALID_XML', { detail: MALFORMED, cause: new Error(why) });
}

// RFC 2045 token characters (tspecials excluded).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Parses `type/subtype; a=b; c="d"` (RFC 2045 §5.1); quoted values may contain `;` and escaped quotes. */
export function parseContentType(header: string | undefined): ContentType {
  const { value, params } = parseHeaderValue(header ?? '');
  return { type: value.toLowerCase(), params };
}

/** A header value with parameters: the value before the first `;`, and the parameters. */
export function parseHeaderValue(header: string): { value: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  let i = header.indexOf(';');
  const value = (i < 0 ? header : header.slice(0, i)).trim();
  while (i >= 0 && i < header.length) {
    i += 1;
    while (i < header.length && /[ \t]/.test(header[i])) i += 1;
    const eq = header.indexOf('=', i);
    if (eq < 0) break;
    const name = header.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (j < header.length && /[ \t]/.test(header[j])) j += 1;
    let v = '';
    if (header[j] === '"') {
      j += 1;
      while (j < header.length && header[j] !== '"') {
        if (header[j] === '\\' && j + 1 < header.length) j += 1;
        v += header[j];
        j += 1;
      }
      j += 1;
    } else {
      const end = header.indexOf(';', j);
      v = (end < 0 ? header.slice(j) : header.slice(j, end)).trim();
      j = end < 0 ? header.length : end;
    }
    if (TOKEN.test(name) && !params.has(name)) params.set(name, v);
    const next = header.indexOf(';', j);
    i = next;
  }
  return { value, params };
}

const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/**
 * Splits a multipart body (RFC 2046 §5.1.1). Each part's headers are limited in size and number,
 * and no part may be larger than `maxPartBytes` before decoding; at most `maxParts` parts.
 */
export function parseMultipart(body: Buffer, boundary: string, limits: { maxParts: number; maxPartBytes: number }): MimePart[] {
  if (!BOUNDARY.test(boundary)) throw malformed('invalid boundary');
  const dash = Buffer.from(`--${boundary}`);
  const delim = Buffer.from(`\r\n--${boundary}`);
  let pos: number;
  if (body.subarray(0, dash.length).equals(dash)) pos = 0;
  else {
    const first = body.indexOf(delim);
    if (first < 0) throw malformed('no opening boundary');
    pos = first + 2;
  }
  const parts: MimePart[] = [];
  for (;;) {
    let after = pos + dash.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) break; // closing delimiter "--boundary--"
    while (body[after] === 0x20 || body[after] === 0x09) after += 1; // transport padding
    if (body[after] !== 0x0d || body[after + 1] !== 0x0a) throw malformed('boundary line not followed by CRLF');
    const start = after + 2;
    const next = body.indexOf(delim, start);
    if (next < 0) throw malformed('no closing boundary');
    if (parts.length >= limits.maxParts) throw new AppError('PAYLOAD_TOO_LARGE', { detail: txt(`The message has more than ${limits.maxParts} parts.`, `Сообщение содержит больше ${limits.maxParts} частей.`, `Билдирүүдө ${limits.maxParts} бөлүктөн ашык бар.`) });
    parts.push(parsePart(body.subarray(start, next), limits.maxPartBytes));
    pos = next + 2;
  }
  if (parts.length === 0) throw malformed('no parts');
  return parts;
}

function parsePart(raw: Buffer, maxPartBytes: number): MimePart {
  let headerEnd: number;
  let bodyStart: number;
  if (raw[0] === 0x0d && raw[1] === 0x0a) {
    headerEnd = 0;
    bodyStart = 2;
  } else {
    headerEnd = raw.indexOf('\r\n\r\n');
    if (headerEnd < 0 || headerEnd > MAX_HEADER_BLOCK) throw malformed('part headers missing or too long');
    bodyStart = headerEnd + 4;
  }
  const headers = new Map<string, string>();
  const lines = raw.subarray(0, headerEnd).toString('latin1').split('\r\n').filter((l) => l !== '');
  const unfolded: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && unfolded.length > 0) unfolded[unfolded.length - 1] += ` ${line.trim()}`;
    else unfolded.push(line);
  }
  if (unfolded.length > MAX_HEADERS_PER_PART) throw malformed('too many part headers');
  for (const line of unfolded) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('bad part header');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!TOKEN.test(name)) throw malformed('bad part header name');
    if (headers.has(name) && ['content-type', 'content-id', 'content-transfer-encoding', 'content-disposition'].includes(name)) throw malformed(`repeated ${name}`);
    headers.set(name, line.slice(colon + 1).trim());
  }
  const encoded = raw.subarray(bodyStart);
  if (encoded.length > maxPartBytes * 1.4 + 1024) throw tooLarge(maxPartBytes);
  const cte = (headers.get('content-transfer-encoding') ?? 'binary').toLowerCase();
  let body: Buffer;
  if (cte === 'binary' || cte === '8bit' || cte === '7bit') body = encoded;
  else if (cte === 'base64') body = Buffer.from(encoded.toString('latin1').replace(/[\r\n \t]/g, ''), 'base64');
  else throw new AppError('UNSUPPORTED_MEDIA_TYPE', { detail: txt(`Content-Transfer-Encoding ${cte} is not supported.`, `Content-Transfer-Encoding ${cte} не поддерживается.`, `Content-Transfer-Encoding ${cte} колдоого алынбайт.`) });
  if (body.length > maxPartBytes) throw tooLarge(maxPartBytes);
  const cid = headers.get('content-id');
  const disposition = headers.has('content-disposition') ? parseHeaderValue(headers.get('content-disposition') ?? '').params : undefined;
  return {
    headers,
    contentType: parseContentType(headers.get('content-type') ?? 'application/octet-stream'),
    contentId: cid !== undefined ? stripAngles(cid) : undefined,
    disposition,
    body,
  };
}

function tooLarge(max: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', { detail: txt(`An attachment is larger than ${max} bytes.`, `Вложение больше ${max} байт.`, `Тиркеме ${max} байттан чоң.`) });
}

const stripAngles = (cid: string): string => cid.trim().replace(/^<(.*)>$/, '$1');

export function toAttachment(contentId: string, part: MimePart): Attachment {
  return {
    contentId,
    contentType: part.contentType.type || 'application/octet-stream',
    filename: part.disposition?.get('filename'),
    bytes: part.body,
    sha256: crypto.createHash('sha256').update(part.body).digest('hex'),
  };
}

/** A SOAP request split from its transport: the envelope bytes exactly as received, and its attachments. */
export interface SoapMessage {
  envelope: Buffer;
  /** multipart/related with an application/xop+xml root: MTOM. */
  mtom: boolean;
  attachments: Attachment[];
}

const UNSUPPORTED = (what: string): AppError =>
  new AppError('UNSUPPORTED_MEDIA_TYPE', {
    detail: txt(`Expected text/xml (SOAP 1.1) or multipart/related; got ${what}.`, `Ожидался text/xml (SOAP 1.1) или multipart/related; получено ${what}.`, `text/xml (SOAP 1.1) же multipart/related күтүлгөн; келгени ${what}.`),
  });

function checkCharset(ct: ContentType): void {
  const cs = ct.params.get('charset')?.toLowerCase();
  // X-Road message protocol 4.0 §2.6: UTF-8 unless stated; we accept nothing else.
  if (cs !== undefined && cs !== 'utf-8' && cs !== 'utf8') throw UNSUPPORTED(`charset ${cs}`);
}

/**
 * The SOAP envelope and attachments of a POST /xroad body. Plain `text/xml` is SOAP 1.1 without
 * attachments; `multipart/related` is SwA (root `text/xml`) or MTOM (root `application/xop+xml`
 * with `type="text/xml"`). The root is the part named by `start`, else the first (SwA §3).
 * Every attachment must carry a unique Content-ID, since that is how the body refers to it.
 */
export function splitSoapMessage(contentTypeHeader: string | undefined, body: Buffer, limits: MimeLimits): SoapMessage {
  const ct = parseContentType(contentTypeHeader);
  if (ct.type === 'text/xml') {
    checkCharset(ct);
    return { envelope: body, mtom: false, attachments: [] };
  }
  if (ct.type !== 'multipart/related') throw UNSUPPORTED(ct.type || 'no content type');
  const boundary = ct.params.get('boundary');
  if (!boundary) throw malformed('multipart without boundary');
  const parts = parseMultipart(body, boundary, { maxParts: limits.maxAttachments + 1, maxPartBytes: Math.max(limits.maxAttachmentBytes, body.length) });
  const start = ct.params.get('start');
  const rootIndex = start ? parts.findIndex((p) => p.contentId === stripAngles(start)) : 0;
  if (rootIndex < 0) throw malformed('start part not found');
  const root = parts[rootIndex];
  let mtom: boolean;
  if (root.contentType.type === 'text/xml') mtom = false;
  else if (root.contentType.type === 'application/xop+xml' && (root.contentType.params.get('type') ?? ct.params.get('start-info') ?? 'text/xml').toLowerCase() === 'text/xml') mtom = true;
  else throw UNSUPPORTED(`root part ${root.contentType.type}`);
  checkCharset(root.contentType);
  const attachments: Attachment[] = [];
  const seen = new Set<string>();
  parts.forEach((p, i) => {
    if (i === rootIndex) return;
    if (!p.contentId) throw malformed('attachment without Content-ID');
    if (seen.has(p.contentId) || p.contentId === root.contentId) throw malformed('repeated Content-ID');
    if (p.body.length > limits.maxAttachmentBytes) throw tooLarge(limits.maxAttachmentBytes);
    seen.add(p.contentId);
    attachments.push(toAttachment(p.contentId, p));
  });
  return { envelope: root.body, mtom, attachments };
}
