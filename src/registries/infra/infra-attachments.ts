import crypto from 'node:crypto';
import type { FieldError } from '../../errors/app-error.js';
import type { Attachment } from '../../operations/types.js';
import { fieldError } from './infra-reasons.js';

/**
 * Files the registry keeps: the technical documentation (§20 item 12), the commissioning act
 * (item 17) and the copy of a decision to stop operating an element (§30). Scans of paper
 * documents, so PDF, images and office documents only; the declared type must agree with the
 * file's leading bytes, so a renamed executable is not stored as a "PDF".
 */

export const ATTACHMENT_ROLES = ['TECHNICAL_DOCUMENTATION', 'COMMISSIONING_ACT', 'DEREGISTRATION_DECISION'] as const;
export type AttachmentRole = (typeof ATTACHMENT_ROLES)[number];

const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ZIP = [0x50, 0x4b, 0x03, 0x04];

/** Allowed content types and the signatures their bytes may start with. */
export const ALLOWED_CONTENT_TYPES: Record<string, number[][]> = {
  'application/pdf': [[0x25, 0x50, 0x44, 0x46, 0x2d]],
  'image/jpeg': [[0xff, 0xd8, 0xff]],
  'image/png': [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  'image/tiff': [
    [0x49, 0x49, 0x2a, 0x00],
    [0x4d, 0x4d, 0x00, 0x2a],
  ],
  'application/msword': [OLE],
  'application/vnd.ms-excel': [OLE],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': [ZIP],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': [ZIP],
  'application/vnd.oasis.opendocument.text': [ZIP],
  'application/vnd.oasis.opendocument.spreadsheet': [ZIP],
};

export interface InfraLimits {
  /** Largest single file, bytes. */
  attachmentMaxBytes: number;
  /** Most technical-documentation files in one submission. */
  technicalDocumentsMax: number;
}

export const DEFAULT_INFRA_LIMITS: InfraLimits = { attachmentMaxBytes: 8 * 1024 * 1024, technicalDocumentsMax: 8 };

export function sha256Hex(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** The media type without parameters, lower case. */
export function baseContentType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

function startsWith(bytes: Buffer, sig: number[]): boolean {
  return bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);
}

/** Problems with one file: type allowed, content agrees with it, size, and the transport's digest. */
export function checkAttachment(field: string, a: Attachment, limits: InfraLimits): FieldError[] {
  const errors: FieldError[] = [];
  const type = baseContentType(a.contentType);
  const sigs = ALLOWED_CONTENT_TYPES[type];
  if (a.bytes.length === 0) errors.push(fieldError(field, 'infra.attachmentEmpty'));
  else if (a.bytes.length > limits.attachmentMaxBytes) errors.push(fieldError(field, 'infra.attachmentTooLarge', { max: limits.attachmentMaxBytes }));
  if (!sigs) errors.push(fieldError(field, 'infra.attachmentType', { allowed: 'PDF, JPEG, PNG, TIFF, DOC, DOCX, XLS, XLSX, ODT, ODS' }));
  else if (a.bytes.length > 0 && !sigs.some((s) => startsWith(a.bytes, s))) errors.push(fieldError(field, 'infra.attachmentContentMismatch'));
  if (a.sha256.toLowerCase() !== sha256Hex(a.bytes)) errors.push(fieldError(field, 'infra.attachmentDigest'));
  return errors;
}

export interface ResolvedFile {
  role: AttachmentRole;
  attachment: Attachment;
}

/**
 * Finds each referenced content id among the request's attachments and checks it. A reference to
 * a missing part, or two references to one part, is an error; parts nobody references are ignored.
 */
export function resolveAttachments(
  refs: Array<{ field: string; role: AttachmentRole; contentId: string }>,
  attachments: readonly Attachment[],
  limits: InfraLimits,
): { files: ResolvedFile[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const files: ResolvedFile[] = [];
  const used = new Set<string>();
  for (const ref of refs) {
    const id = ref.contentId.replace(/^cid:/i, '').replace(/^<|>$/g, '');
    const a = attachments.find((x) => x.contentId === id);
    if (!a) {
      errors.push(fieldError(ref.field, 'infra.attachmentMissing'));
      continue;
    }
    if (used.has(id)) {
      errors.push(fieldError(ref.field, 'infra.attachmentDuplicateRef'));
      continue;
    }
    used.add(id);
    const problems = checkAttachment(ref.field, a, limits);
    errors.push(...problems);
    if (!problems.length) files.push({ role: ref.role, attachment: a });
  }
  return { files, errors };
}
