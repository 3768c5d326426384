import type { z } from 'zod';
import { AppError, type FieldError } from '../errors/app-error.js';
import { issueToFieldError, localizedFrom, localizedIssue } from '../operations/operation-table.js';
import type { Text } from './messages.js';

/**
 * Field messages with a stable reason code, on top of the transports' localized-issue format
 * (operation-table.ts `localizedIssue`: a zod message `i18n:{"ky","ru","en"}` whose text the
 * transports show). The JSON here also carries `"reason"`, so a check can name its own reason
 * (e.g. `blankItem`, `requiredWhen`, `conflictWithSource`) instead of the one derived from the zod
 * issue code. Schemas write `z.string().regex(re, fieldMessage('pattern', text))`.
 */
export function fieldMessage(reason: string, text: Text): string {
  return localizedIssue(text, reason);
}

/** The reason and text a message carries, if it is one of ours. */
export function readFieldMessage(message: string): { reason?: string; text: Text } | undefined {
  const m = localizedFrom(message);
  return m && { reason: m.reason, text: m.text };
}

/** A zod issue as a field error, the check's own reason kept (the transports' mapping). */
export const toFieldError = issueToFieldError;

/** A field error for a check made outside a schema (e.g. after merging upstream data). */
export function fieldErrorOf(field: string, message: string): FieldError {
  const m = readFieldMessage(message);
  if (!m) throw new Error('fieldErrorOf: not a field message');
  return { field, reason: m.reason ?? 'invalid', message: m.text };
}

/**
 * Parses like the transports do (operation-table.ts `parseInput`) and throws AppError
 * VALIDATION_FAILED with one field error per issue, own reasons kept.
 */
export function parseInput<T>(schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new AppError('VALIDATION_FAILED', { fields: result.error.issues.map(toFieldError) });
}
