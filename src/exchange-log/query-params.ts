import { AppError, type FieldError } from '../errors/app-error.js';
import type { PageRequest, SearchFilter } from './exchange-queries.js';

/**
 * Parsing of the operator's query parameters, shared by /ops/v1 and the CLI so both accept the
 * same things. Times are ISO 8601 or milliseconds since the epoch. Bad values are refused with
 * VALIDATION_FAILED naming every offending parameter.
 */
export type Params = Record<string, unknown>;

class Collector {
  readonly errors: FieldError[] = [];

  bad(field: string, en: string, ru: string, ky: string): undefined {
    this.errors.push({ field, reason: 'invalid', message: { en, ru, ky } });
    return undefined;
  }

  str(p: Params, name: string, max = 1024): string | undefined {
    const v = p[name];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') return this.bad(name, 'Give this parameter once, as text.', 'Укажите параметр один раз, текстом.', 'Параметрди бир жолу, текст менен көрсөтүңүз.');
    if (v.length > max) return this.bad(name, `At most ${max} characters.`, `Не более ${max} символов.`, `${max} белгиден ашпасын.`);
    return v;
  }

  time(p: Params, name: string): number | undefined {
    const v = this.str(p, name, 64);
    if (v === undefined) return undefined;
    const ms = /^\d{1,16}$/.test(v) ? Number(v) : /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms)) return this.bad(name, 'Expected an ISO 8601 time or milliseconds since 1970.', 'Ожидается время ISO 8601 или миллисекунды с 1970 года.', 'ISO 8601 убакыты же 1970-жылдан бери миллисекунд күтүлөт.');
    return ms;
  }

  int(p: Params, name: string, min: number): number | undefined {
    const v = this.str(p, name, 20);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) return this.bad(name, `Expected a whole number from ${min}.`, `Ожидается целое число от ${min}.`, `${min} баштап бүтүн сан күтүлөт.`);
    return Number(v);
  }

  oneOf<T extends string>(p: Params, name: string, values: readonly T[]): T | undefined {
    const v = this.str(p, name, 32);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) return this.bad(name, `Expected one of: ${values.join(', ')}.`, `Ожидается одно из: ${values.join(', ')}.`, `Булардын бири күтүлөт: ${values.join(', ')}.`);
    return v as T;
  }

  done(): void {
    if (this.errors.length) throw new AppError('VALIDATION_FAILED', { fields: this.errors });
  }
}

export function parseSearch(p: Params): { filter: SearchFilter; page: PageRequest } {
  const c = new Collector();
  const filter: SearchFilter = {
    from: c.time(p, 'from'),
    to: c.time(p, 'to'),
    client: c.str(p, 'client', 512),
    service: c.str(p, 'service', 512),
    serviceCode: c.str(p, 'serviceCode', 255),
    messageId: c.str(p, 'messageId'),
    userId: c.str(p, 'userId', 255),
    status: c.oneOf(p, 'status', ['ok', 'fault'] as const),
    faultCode: c.str(p, 'faultCode', 255),
    direction: c.oneOf(p, 'direction', ['in', 'out'] as const),
  };
  const page: PageRequest = { limit: c.int(p, 'limit', 1), cursor: c.str(p, 'cursor', 200) };
  c.done();
  return { filter: strip(filter), page: strip(page) };
}

export function parseRange(p: Params): { from?: number; to?: number } {
  const c = new Collector();
  const r = { from: c.time(p, 'from'), to: c.time(p, 'to') };
  c.done();
  return strip(r);
}

export function parseSeqRange(p: Params, names: [string, string] = ['from', 'to']): { from?: number; to?: number } {
  const c = new Collector();
  const r = { from: c.int(p, names[0], 1), to: c.int(p, names[1], 1) };
  c.done();
  return strip(r);
}

export function parseExport(p: Params): { format: 'ndjson' | 'csv'; fromSeq?: number; toSeq?: number; from?: number; to?: number } {
  const c = new Collector();
  const r = { format: c.oneOf(p, 'format', ['ndjson', 'csv'] as const) ?? 'ndjson', fromSeq: c.int(p, 'fromSeq', 1), toSeq: c.int(p, 'toSeq', 1), from: c.time(p, 'from'), to: c.time(p, 'to') };
  c.done();
  return strip(r);
}

export function parseSubject(p: Params): { subject: { kind: 'inn' | 'pin'; value: string }; from?: number; to?: number; page: PageRequest } {
  const c = new Collector();
  const inn = c.str(p, 'inn', 14);
  const pin = c.str(p, 'pin', 14);
  const from = c.time(p, 'from');
  const to = c.time(p, 'to');
  const page = { limit: c.int(p, 'limit', 1), cursor: c.str(p, 'cursor', 200) };
  let subject: { kind: 'inn' | 'pin'; value: string } | undefined;
  if ((inn === undefined) === (pin === undefined)) c.bad('inn', 'Give exactly one of inn and pin.', 'Укажите ровно одно из inn и pin.', 'inn же pin экөөнүн бирин гана көрсөтүңүз.');
  else {
    const [kind, value] = inn !== undefined ? (['inn', inn] as const) : (['pin', pin as string] as const);
    if (!/^\d{14}$/.test(value)) c.bad(kind, 'Expected 14 digits.', 'Ожидается 14 цифр.', '14 сан күтүлөт.');
    else subject = { kind, value };
  }
  c.done();
  return { subject: subject as { kind: 'inn' | 'pin'; value: string }, ...strip({ from, to }), page: strip(page) };
}

export function parseBodyReads(p: Params): { filter: { from?: number; to?: number; operator?: string; seq?: number }; page: PageRequest } {
  const c = new Collector();
  const filter = { from: c.time(p, 'from'), to: c.time(p, 'to'), operator: c.str(p, 'operator', 128), seq: c.int(p, 'seq', 1) };
  const page = { limit: c.int(p, 'limit', 1), cursor: c.str(p, 'cursor', 200) };
  c.done();
  return { filter: strip(filter), page: strip(page) };
}

/** One time option (ISO 8601 or ms), e.g. the CLI's `--now`. */
export function parseTimeOption(p: Params, name: string): number | undefined {
  const c = new Collector();
  const t = c.time(p, name);
  c.done();
  return t;
}

/** The reason an operator gives for reading a body: one line, bounded. */
export function parseWhy(p: Params): string | undefined {
  const c = new Collector();
  const why = c.str(p, 'why', 500);
  c.done();
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return why?.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() || undefined;
}

export function parseSeq(v: unknown): number {
  const c = new Collector();
  const seq = c.int({ id: v }, 'id', 1);
  if (seq === undefined && c.errors.length === 0) c.bad('id', 'Expected a record number.', 'Ожидается номер записи.', 'Жазуунун номери күтүлөт.');
  c.done();
  return seq as number;
}

/** Drops undefined members, so that filters compare and spread cleanly. */
function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
