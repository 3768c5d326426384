import type { z } from 'zod';
import { AppError, type FieldError } from '../errors/app-error.js';
import type { Text } from './messages.js';

/**
 * How schema checks carry a stable reason code and a message in ky, ru and en.
 *
 * Zod keeps only a string `message` on an issue, so the message of every check is a *key*
 * registered here with `defineFieldMessage(key, reason, text)`. `fieldErrorsFromIssues` turns
 * the issues of a failed parse into `FieldError`s `{ field, reason, message }` by looking the
 * key up. Checks without a registered key get a generic reason (`required`, `too_long`, …)
 * from `fieldErrorMap`, which `parseInput` passes to every parse; so any transport can turn
 * any operation's zod issues into trilingual field errors with one call.
 */
export interface FieldMessage {
  /** Stable, machine-readable reason, e.g. "required", "format", "conflict_with_source". */
  reason: string;
  text: Text;
}

const registry = new Map<string, FieldMessage>();

/** Registers (once) the message a check reports; returns the key to give zod as the message. */
export function defineFieldMessage(key: string, reason: string, text: Text): string {
  const known = registry.get(key);
  if (known && (known.reason !== reason || known.text.en !== text.en || known.text.ru !== text.ru || known.text.ky !== text.ky)) {
    throw new Error(`field message ${key} is already defined differently`);
  }
  registry.set(key, { reason, text });
  return key;
}

export function lookupFieldMessage(key: string): FieldMessage | undefined {
  return registry.get(key);
}

const generic = (reason: string, en: string, ru: string, ky: string): string => defineFieldMessage(`field.${reason}`, reason, { ky, ru, en });

/** Generic messages for checks that carry no key of their own. */
export const GENERIC_FIELD_MESSAGES = {
  required: generic('required', 'This field is required.', 'Обязательное поле.', 'Милдеттүү талаа.'),
  type: generic('type', 'The value has the wrong type.', 'Значение имеет неверный тип.', 'Маанинин түрү туура эмес.'),
  tooShort: generic('too_short', 'The value is too short.', 'Значение слишком короткое.', 'Маани өтө кыска.'),
  tooLong: generic('too_long', 'The value is too long.', 'Значение слишком длинное.', 'Маани өтө узун.'),
  tooFew: generic('too_few', 'The list has too few items.', 'В списке слишком мало элементов.', 'Тизмеде элементтер өтө аз.'),
  tooMany: generic('too_many', 'The list has too many items.', 'В списке слишком много элементов.', 'Тизмеде элементтер өтө көп.'),
  tooSmall: generic('too_small', 'The number is too small.', 'Число слишком мало.', 'Сан өтө кичине.'),
  tooBig: generic('too_big', 'The number is too big.', 'Число слишком велико.', 'Сан өтө чоң.'),
  format: generic('format', 'The value has the wrong format.', 'Значение имеет неверный формат.', 'Маанинин форматы туура эмес.'),
  notAllowed: generic('not_allowed', 'The value is not one of the allowed values.', 'Значение не входит в список допустимых.', 'Маани уруксат берилген тизмеде жок.'),
  unknown: generic('unknown_field', 'This field is not expected here.', 'Это поле здесь не предусмотрено.', 'Бул талаа бул жерде каралган эмес.'),
  invalid: generic('invalid', 'The value is invalid.', 'Недопустимое значение.', 'Маани жараксыз.'),
} as const;

type RawIssue = z.core.$ZodRawIssue;

function genericKey(iss: RawIssue): string {
  const g = GENERIC_FIELD_MESSAGES;
  const origin = (iss as { origin?: string }).origin;
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined || iss.input === null ? g.required : g.type;
    case 'too_small':
      if (origin === 'string') return (iss as { minimum?: unknown }).minimum === 1 ? g.required : g.tooShort;
      if (origin === 'array' || origin === 'set') return g.tooFew;
      return g.tooSmall;
    case 'too_big':
      if (origin === 'string') return g.tooLong;
      if (origin === 'array' || origin === 'set') return g.tooMany;
      return g.tooBig;
    case 'invalid_format':
      return g.format;
    case 'invalid_value':
      return g.notAllowed;
    case 'unrecognized_keys':
      return g.unknown;
    default:
      return g.invalid;
  }
}

/** Per-parse error map: every check without its own key gets a generic one. */
export const fieldErrorMap: z.core.$ZodErrorMap = (iss) => genericKey(iss);

function pathText(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/**
 * Zod issues → field errors: one per field (the first issue wins), unknown keys reported one
 * by one. A message that is not a registered key (a schema written without this convention)
 * falls back to the generic text for its issue code.
 */
export function fieldErrorsFromIssues(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const push = (field: string, msg: FieldMessage): void => {
    if (seen.has(field)) return;
    seen.add(field);
    out.push({ field, reason: msg.reason, message: { ...msg.text } });
  };
  for (const iss of issues) {
    const msg = registry.get(iss.message) ?? registry.get(genericKey(iss as unknown as RawIssue)) ?? registry.get(GENERIC_FIELD_MESSAGES.invalid)!;
    if (iss.code === 'unrecognized_keys') {
      for (const k of iss.keys) push(pathText([...iss.path, k]), msg);
    } else {
      push(pathText(iss.path), msg);
    }
  }
  return out;
}

/** A field error from a registered key, for checks made outside a schema (e.g. after merging upstream data). */
export function fieldError(field: string, key: string): FieldError {
  const msg = registry.get(key);
  if (!msg) throw new Error(`field message ${key} is not defined`);
  return { field, reason: msg.reason, message: { ...msg.text } };
}

/** Parses with the convention above; throws AppError VALIDATION_FAILED with the field errors. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input, { error: fieldErrorMap });
  if (r.success) return r.data;
  throw new AppError('VALIDATION_FAILED', { fields: fieldErrorsFromIssues(r.error.issues) });
}
