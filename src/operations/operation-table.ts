import type { z } from 'zod';
import { AppError, type FieldError } from '../errors/app-error.js';
import type { Text } from '../i18n/messages.js';
import type { CallContext, OperationDef, ServiceGroup } from './types.js';

/** X-Road identifier characters (message protocol 4.0 §2.7): no slashes, colons, semicolons, backslashes, %. */
const CODE = /^[A-Za-z0-9._-]{1,100}$/;

/** Thrown at start-up when a group cannot be served; never reaches a caller. */
export class OperationTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperationTableError';
  }
}

/**
 * Every provided operation, registered once by the registries and served by every transport
 * (ARCHITECTURE: one operation table, several transports). Lookup is by the X-Road service
 * identity (subsystem, serviceCode, version); nothing here knows what the operations do.
 */
export class OperationTable {
  private readonly groupsBySubsystem = new Map<string, ServiceGroup>();
  private readonly ops = new Map<string, OperationDef>();

  /** Adds a group; refuses duplicates and names that cannot appear in an X-Road identifier or an XML element. */
  register(group: ServiceGroup): this {
    if (!CODE.test(group.subsystem)) throw new OperationTableError(`subsystem code "${group.subsystem}" has characters X-Road identifiers do not allow`);
    if (this.groupsBySubsystem.has(group.subsystem)) throw new OperationTableError(`subsystem ${group.subsystem} is already registered`);
    const seen = new Set<string>();
    for (const op of group.operations) {
      if (op.subsystem !== group.subsystem) throw new OperationTableError(`${op.serviceCode}: subsystem ${op.subsystem} differs from its group's ${group.subsystem}`);
      if (op.namespace !== group.namespace) throw new OperationTableError(`${op.serviceCode}: namespace differs from its group's (one target namespace per WSDL)`);
      // The serviceCode is also the body wrapper's local name (message protocol 4.0 §2.3): it must be an NCName.
      if (!/^[A-Za-z_][A-Za-z0-9._-]*$/.test(op.serviceCode) || op.serviceCode.length > 100) throw new OperationTableError(`serviceCode "${op.serviceCode}" is not a valid XML element name`);
      if (op.serviceCode.endsWith('Response') && seen.has(op.serviceCode.slice(0, -'Response'.length))) throw new OperationTableError(`${op.serviceCode} collides with a response wrapper`);
      const key = opKey(op.subsystem, op.serviceCode, op.version);
      if (seen.has(op.serviceCode) || this.ops.has(key)) throw new OperationTableError(`${op.subsystem}/${op.serviceCode}/${op.version} is registered twice`);
      seen.add(op.serviceCode);
      this.ops.set(key, op);
    }
    this.groupsBySubsystem.set(group.subsystem, group);
    return this;
  }

  /** The operation served under this X-Road service identity, if any (never a restOnly one). An absent version matches nothing. */
  find(subsystem: string, serviceCode: string, version: string | undefined): OperationDef | undefined {
    if (version === undefined) return undefined;
    const op = this.ops.get(opKey(subsystem, serviceCode, version));
    return op?.restOnly ? undefined : op;
  }

  /** The operation by subsystem and serviceCode whatever its version (X-Road REST carries no version). */
  findByCode(subsystem: string, serviceCode: string): OperationDef | undefined {
    return this.group(subsystem)?.operations.find((o) => o.serviceCode === serviceCode && !o.restOnly);
  }

  group(subsystem: string): ServiceGroup | undefined {
    return this.groupsBySubsystem.get(subsystem);
  }

  groups(): ServiceGroup[] {
    return [...this.groupsBySubsystem.values()];
  }

  operations(): OperationDef[] {
    return [...this.ops.values()];
  }

  /**
   * Validates the decoded input against the operation's schema, runs the handler, and checks that
   * what it returns matches the declared output (a mismatch is our bug: INTERNAL, never sent).
   */
  async call(op: OperationDef, rawInput: unknown, ctx: CallContext): Promise<unknown> {
    const input = parseInput(op.input, rawInput);
    const output = await op.handler(input, ctx);
    const checked = op.output.safeParse(output);
    if (!checked.success) {
      throw new AppError('INTERNAL', { cause: new Error(`${op.serviceCode} returned output that does not match its schema: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`).join('; ')}`) });
    }
    return checked.data;
  }
}

const opKey = (subsystem: string, serviceCode: string, version: string): string => `${subsystem}\u0000${serviceCode}\u0000${version}`;

/** Parses with zod; issues become VALIDATION_FAILED with one FieldError per issue. */
export function parseInput<T>(schema: z.ZodType<T>, raw: unknown): T {
  // reportInput tells "absent" (required) from "present but wrong" apart; inputs never leave this function.
  const result = schema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new AppError('VALIDATION_FAILED', { fields: result.error.issues.map(issueToFieldError) });
}

/**
 * When decoding a request already found structural problems (unknown or repeated elements, wrong
 * nesting), reports them together with every schema issue of what could be decoded, so that a
 * caller sees all problems at once; schema issues on fields already reported are left out.
 */
export function assertDecoded(schema: z.ZodType, raw: unknown, structural: FieldError[]): void {
  if (structural.length === 0) return;
  const result = schema.safeParse(raw, { reportInput: true });
  const reported = new Set(structural.map((f) => f.field));
  const more = result.success ? [] : result.error.issues.map(issueToFieldError).filter((f) => !reported.has(f.field));
  throw new AppError('VALIDATION_FAILED', { fields: [...structural, ...more].slice(0, 50) });
}

/** `a.b[2].c` — the path of a field in messages and faults, the same on SOAP and JSON. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(body)';
}

/**
 * A zod error message that carries its own three-language text: schemas write
 * `z.string().regex(re, { error: localizedIssue(text) })` and the transports show that text instead
 * of the generic one.
 */
const LOCALIZED_PREFIX = 'i18n:';

export function localizedIssue(text: Text, reason?: string): string {
  return LOCALIZED_PREFIX + JSON.stringify({ ky: text.ky, ru: text.ru, en: text.en, ...(reason ? { reason } : {}) });
}

/**
 * The text (and, when the check names one, its own reason code such as `blankItem`) a localized
 * message carries; undefined for a plain zod message.
 */
export function localizedFrom(message: string): { text: Text; reason?: string } | undefined {
  if (!message.startsWith(LOCALIZED_PREFIX)) return undefined;
  try {
    const t = JSON.parse(message.slice(LOCALIZED_PREFIX.length)) as Partial<Text> & { reason?: unknown };
    if (typeof t.ky === 'string' && typeof t.ru === 'string' && typeof t.en === 'string') {
      return { text: { ky: t.ky, ru: t.ru, en: t.en }, ...(typeof t.reason === 'string' ? { reason: t.reason } : {}) };
    }
  } catch {
    // Not ours: fall back to the generic text.
  }
  return undefined;
}

/** Stable reason codes of field errors, with their generic texts. */
export const FIELD_REASONS = {
  required: { en: 'This field is required.', ru: 'Поле обязательно.', ky: 'Бул талаа милдеттүү.' },
  type: { en: 'The value has the wrong type.', ru: 'Значение имеет неверный тип.', ky: 'Маанинин түрү туура эмес.' },
  tooLong: { en: 'The value is too long or too large.', ru: 'Значение слишком длинное или слишком большое.', ky: 'Маани өтө узун же өтө чоң.' },
  tooShort: { en: 'The value is too short or too small.', ru: 'Значение слишком короткое или слишком маленькое.', ky: 'Маани өтө кыска же өтө кичине.' },
  pattern: { en: 'The value has the wrong format.', ru: 'Значение имеет неверный формат.', ky: 'Маанинин форматы туура эмес.' },
  enum: { en: 'The value is not one of the allowed values.', ru: 'Значение не входит в список допустимых.', ky: 'Маани уруксат берилген маанилердин ичинде жок.' },
  unknown: { en: 'This field is not expected here.', ru: 'Это поле здесь не ожидается.', ky: 'Бул талаа бул жерде күтүлбөйт.' },
  repeated: { en: 'This field occurs more than once.', ru: 'Поле встречается более одного раза.', ky: 'Бул талаа бир нече жолу кездешет.' },
  invalid: { en: 'The value is invalid.', ru: 'Значение неверно.', ky: 'Маани туура эмес.' },
} as const satisfies Record<string, Text>;

export type FieldReason = keyof typeof FIELD_REASONS;

export function fieldError(path: ReadonlyArray<PropertyKey> | string, reason: FieldReason, message?: Text): FieldError {
  return { field: typeof path === 'string' ? path : fieldPath(path), reason, message: message ?? { ...FIELD_REASONS[reason] } };
}

function reasonOf(issue: z.core.$ZodIssue): FieldReason {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : 'type';
    case 'too_big':
      return 'tooLong';
    case 'too_small':
      return 'tooShort';
    case 'invalid_format':
      return 'pattern';
    case 'invalid_value':
      return 'enum';
    case 'unrecognized_keys':
      return 'unknown';
    default:
      return 'invalid';
  }
}

export function issueToFieldError(issue: z.core.$ZodIssue): FieldError {
  const reason = reasonOf(issue);
  const path = issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...issue.path, issue.keys[0]] : issue.path;
  const own = localizedFrom(issue.message);
  const f = fieldError(path, reason, own?.text);
  // A check that names its own reason (e.g. `blankItem`) keeps it on every transport.
  return own?.reason ? { ...f, reason: own.reason } : f;
}
