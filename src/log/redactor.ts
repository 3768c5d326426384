/**
 * The one redactor for application logs (DOMAIN: privacy rules; seeds 001, 002). Personal data
 * never reaches a log line in the clear: PINs and INNs (14 digits), phone numbers, e-mail
 * addresses, and the values of fields that name a person. Applied by the logger to every
 * message and every metadata value, so callers cannot forget it.
 */

/** Field names whose values are personal whatever they look like. */
const PERSONAL_KEYS = new Set(
  [
    'pin', 'userid', 'inn', 'personalnumber', 'phone', 'phones', 'fax', 'email', 'email1', 'mail',
    'name', 'fullname', 'surname', 'firstname', 'lastname', 'patronymic', 'head', 'chief',
    'responsibleperson', 'employee', 'authorization', 'token', 'password', 'secret', 'cookie',
    'idtoken', 'x-road-userid',
  ].map((k) => k.toLowerCase()),
);

// 14-digit identifiers (PIN, INN) not part of a longer number.
const ID14 = /(?<!\d)\d{14}(?!\d)/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// Phone numbers: +996 and local forms, 9 digits after the prefix, grouped any way (0312 550 101,
// 0555 12 34 56, (0312) 62-15-84).
const PHONE = /(?<![\w.])(?:\+?996[\s-]?)?\(?0?\d{3}\)?(?:[\s-]?\d){6}(?![\w.])/g;

export const REDACTED = '[redacted]';

/** Masks personal data in free text. */
export function redactText(text: string): string {
  return text.replace(EMAIL, '[email]').replace(ID14, '[id14]').replace(PHONE, '[phone]');
}

/** Masks personal data in any value: strings by pattern, object fields by name and by pattern. */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 8) return REDACTED as unknown as T;
  if (typeof value === 'string') return redactText(value) as unknown as T;
  if (typeof value === 'number' && Number.isInteger(value) && String(value).length === 14) return '[id14]' as unknown as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as unknown as T;
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) } as unknown as T;
  if (value && typeof value === 'object') {
    if (Buffer.isBuffer(value)) return `[${value.length} bytes]` as unknown as T;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactField(k, v, depth + 1);
    return out as T;
  }
  return value;
}

/** Masks the value of one named field: all of it when the name says it is personal, by pattern otherwise. */
export function redactField(name: string, value: unknown, depth = 0): unknown {
  const key = name.toLowerCase().replace(/[_\s]/g, '');
  return PERSONAL_KEYS.has(key) && value !== undefined && value !== null && value !== '' ? REDACTED : redact(value, depth);
}
