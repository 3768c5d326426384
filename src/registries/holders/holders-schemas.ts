import { z } from 'zod';
import { isIsoDate } from '../../calendar/working-calendar.js';
import { fieldMsg, BECAUSE, type FormatKind } from './holders-messages.js';
import { EMAIL_PATTERN, OKPO_PATTERN, PHONE_PATTERN, isPlausibleInn, isPlausiblePin } from './identifiers.js';
import {
  APPLICATION_STATUS_CODES,
  NOTIFICATION_METHOD_CODES,
  PERSONAL_DATA_CODES,
  PROCESSOR_KIND_CODES,
  REVIEW_DECISION_CODES,
  SECURITY_MEASURE_CODES,
  SPECIAL_CATEGORY_CODES,
  SUBJECT_CATEGORY_CODES,
} from './vocabularies.js';

/**
 * Input and output schemas of the seven operations. Shapes stay friendly to an XML mapping:
 * plain objects, arrays of strings or objects, enums, strings, numbers, booleans. Every check
 * carries a registered field message (reason + ky/ru/en), keyed by the field's path without
 * array indexes. Input objects are strict: an unknown field is an error, not ignored.
 */

const LIMITS = { name: 1000, addressPart: 200, streetHouse: 300, short: 300, email: 254, phone: 32, item: 1000, items: 100, comment: 4000 } as const;

/** Type errors: "required" when absent, "type" otherwise. */
const typeError = (field: string) => (iss: { input?: unknown }) => (iss.input === undefined || iss.input === null ? fieldMsg.required(field) : fieldMsg.type(field));

/** A check's message that also stops the later checks of the field: one error per field, the first that applies. */
const first = (error: string) => ({ error, abort: true });

export function textField(field: string, max: number) {
  return z
    .string({ error: typeError(field) })
    .min(1, first(fieldMsg.required(field)))
    .regex(/\S/, first(fieldMsg.required(field)))
    .max(max, first(fieldMsg.tooLong(field, max)));
}

function patternField(field: string, pattern: RegExp, kind: FormatKind, max: number) {
  return z
    .string({ error: typeError(field) })
    .min(1, first(fieldMsg.required(field)))
    .regex(pattern, first(fieldMsg.format(field, kind)))
    .max(max, first(fieldMsg.tooLong(field, max)));
}

export const emailField = (field: string) => patternField(field, EMAIL_PATTERN, 'email', LIMITS.email);
export const phoneField = (field: string) => patternField(field, PHONE_PATTERN, 'phone', LIMITS.phone);
export const okpoField = (field: string) => patternField(field, OKPO_PATTERN, 'okpo', 8);

export const innField = (field = 'inn') =>
  patternField(field, /^\d{14}$/, 'inn', 14).refine((v) => isPlausibleInn(v), fieldMsg.format(field, 'inn'));

export const pinField = (field: string) =>
  patternField(field, /^\d{14}$/, 'pin', 14).refine((v) => isPlausiblePin(v), fieldMsg.format(field, 'pin'));

const dateField = (field: string) => patternField(field, /^\d{4}-\d{2}-\d{2}$/, 'date', 10).refine(isIsoDate, fieldMsg.format(field, 'date'));

/** A ";"-separated list of the UI, as an array of non-blank strings. */
function listField(field: string, min: 0 | 1) {
  const item = z
    .string({ error: typeError(field) })
    .regex(/\S/, first(fieldMsg.blankItem(field)))
    .max(LIMITS.item, first(fieldMsg.tooLong(field, LIMITS.item)));
  return z
    .array(item, { error: typeError(field) })
    .min(min, first(fieldMsg.required(field)))
    .max(LIMITS.items, first(fieldMsg.tooMany(field, LIMITS.items)));
}

const unique = (xs: readonly unknown[]) => new Set(xs).size === xs.length;

/** Checkbox group: codes of one vocabulary, each at most once. */
function codeList<C extends string>(field: string, codes: readonly [C, ...C[]]) {
  return z
    .array(z.enum(codes, { error: fieldMsg.notAllowed(field) }), { error: typeError(field) })
    .max(codes.length, first(fieldMsg.tooMany(field, codes.length)))
    .refine(unique, fieldMsg.duplicate(field));
}

// ---------------------------------------------------------------------------------------------
// Stage I

const addressPartFields = (prefix: string) => ({
  region: textField(`${prefix}.region`, LIMITS.addressPart),
  city: textField(`${prefix}.city`, LIMITS.addressPart),
  district: textField(`${prefix}.district`, LIMITS.addressPart),
  streetHouse: textField(`${prefix}.streetHouse`, LIMITS.streetHouse),
});

const legalParts = addressPartFields('legalAddress');

/**
 * Stage-I fields the Ministry of Justice may fill, with the schema each value (from MoJ or
 * typed) must pass. One table for the input schema and for the merge in the service.
 */
export const PREFILLABLE_FIELDS = {
  name: textField('name', LIMITS.name),
  'legalAddress.region': legalParts.region,
  'legalAddress.city': legalParts.city,
  'legalAddress.district': legalParts.district,
  'legalAddress.streetHouse': legalParts.streetHouse,
  ownershipForm: textField('ownershipForm', LIMITS.short),
  subordination: textField('subordination', LIMITS.short),
  head: textField('head', LIMITS.short),
  okpo: okpoField('okpo'),
  email: emailField('email'),
  phone: phoneField('phone'),
} as const;
export type PrefillableField = keyof typeof PREFILLABLE_FIELDS;

export const responsiblePersonSchema = z.strictObject(
  {
    fullName: textField('responsiblePerson.fullName', LIMITS.short),
    email: emailField('responsiblePerson.email'),
    phone: phoneField('responsiblePerson.phone'),
  },
  { error: typeError('responsiblePerson') },
);

export const registerHolderInput = z.strictObject({
  inn: innField(),
  name: PREFILLABLE_FIELDS.name.optional(),
  legalAddress: z
    .strictObject(
      {
        region: legalParts.region.optional(),
        city: legalParts.city.optional(),
        district: legalParts.district.optional(),
        streetHouse: legalParts.streetHouse.optional(),
      },
      { error: typeError('legalAddress') },
    )
    .optional(),
  /** The holder's correction of the current address (seed §3.1: update it when it differs); absent = the legal address. */
  currentAddress: z.strictObject(addressPartFields('currentAddress'), { error: typeError('currentAddress') }).optional(),
  ownershipForm: PREFILLABLE_FIELDS.ownershipForm.optional(),
  subordination: PREFILLABLE_FIELDS.subordination.optional(),
  head: PREFILLABLE_FIELDS.head.optional(),
  okpo: PREFILLABLE_FIELDS.okpo.optional(),
  email: PREFILLABLE_FIELDS.email.optional(),
  phone: PREFILLABLE_FIELDS.phone.optional(),
  responsiblePerson: responsiblePersonSchema,
});
export type RegisterHolderInput = z.input<typeof registerHolderInput>;

// ---------------------------------------------------------------------------------------------
// Stage II

const crossBorderTransferSchema = z.strictObject(
  {
    country: textField('crossBorderTransfers.country', LIMITS.addressPart),
    recipientName: textField('crossBorderTransfers.recipientName', LIMITS.name),
    agreement: textField('crossBorderTransfers.agreement', LIMITS.item),
  },
  { error: typeError('crossBorderTransfers') },
);

const processorSchema = z.strictObject(
  {
    name: textField('processor.name', LIMITS.name),
    contacts: textField('processor.contacts', LIMITS.item),
    contractDetails: listField('processor.contractDetails', 1),
  },
  { error: typeError('processor') },
);

type Issue = { code: 'custom'; path: (string | number)[]; message: string; input: unknown };
const issue = (path: string, message: string, input: unknown): Issue => ({ code: 'custom', path: [path], message, input });

export const submitDataArraysInput = z
  .strictObject({
    inn: innField(),
    arrayNames: listField('arrayNames', 1),
    processingEndConditions: listField('processingEndConditions', 1),
    recipients: listField('recipients', 1),
    crossBorderTransfer: z.boolean({ error: typeError('crossBorderTransfer') }),
    /** Country, third party and agreement of each planned transfer: exactly when crossBorderTransfer. */
    crossBorderTransfers: z
      .array(crossBorderTransferSchema, { error: typeError('crossBorderTransfers') })
      .max(LIMITS.items, fieldMsg.tooMany('crossBorderTransfers', LIMITS.items))
      .optional(),
    notificationMethods: codeList('notificationMethods', NOTIFICATION_METHOD_CODES).optional(),
    notificationMethodsOther: listField('notificationMethodsOther', 0).optional(),
    securityMeasures: codeList('securityMeasures', SECURITY_MEASURE_CODES).optional(),
    securityMeasuresOther: listField('securityMeasuresOther', 0).optional(),
    processorKind: z.enum(PROCESSOR_KIND_CODES, { error: (iss) => (iss.input === undefined ? fieldMsg.required('processorKind') : fieldMsg.notAllowed('processorKind')) }),
    /** Name, contacts and contract of the processor: exactly when processorKind is not NONE. */
    processor: processorSchema.optional(),
  })
  .superRefine((v, ctx) => {
    const transfers = v.crossBorderTransfers ?? [];
    if (v.crossBorderTransfer && transfers.length === 0) ctx.addIssue(issue('crossBorderTransfers', fieldMsg.requiredWhen('crossBorderTransfers', BECAUSE.crossBorderYes), transfers));
    if (!v.crossBorderTransfer && transfers.length > 0) ctx.addIssue(issue('crossBorderTransfers', fieldMsg.notApplicable('crossBorderTransfers', BECAUSE.crossBorderNo), transfers));
    if ((v.notificationMethods ?? []).length + (v.notificationMethodsOther ?? []).length === 0) {
      ctx.addIssue(issue('notificationMethods', fieldMsg.atLeastOne('notificationMethods', 'notificationMethodsOther'), v.notificationMethods));
    }
    if ((v.securityMeasures ?? []).length + (v.securityMeasuresOther ?? []).length === 0) {
      ctx.addIssue(issue('securityMeasures', fieldMsg.atLeastOne('securityMeasures', 'securityMeasuresOther'), v.securityMeasures));
    }
    if (v.processorKind !== 'NONE' && !v.processor) ctx.addIssue(issue('processor', fieldMsg.requiredWhen('processor', BECAUSE.processorExists), v.processor));
    if (v.processorKind === 'NONE' && v.processor) ctx.addIssue(issue('processor', fieldMsg.notApplicable('processor', BECAUSE.noProcessor), v.processor));
  });
export type SubmitDataArraysInput = z.input<typeof submitDataArraysInput>;

// ---------------------------------------------------------------------------------------------
// Stage III

export const submitPersonalDataListInput = z
  .strictObject({
    inn: innField(),
    personalData: codeList('personalData', PERSONAL_DATA_CODES).optional(),
    personalDataOther: listField('personalDataOther', 0).optional(),
    specialCategories: codeList('specialCategories', SPECIAL_CATEGORY_CODES).optional(),
    specialCategoriesOther: listField('specialCategoriesOther', 0).optional(),
    subjectCategories: codeList('subjectCategories', SUBJECT_CATEGORY_CODES).optional(),
    subjectCategoriesOther: listField('subjectCategoriesOther', 0).optional(),
    sources: listField('sources', 1),
    purposes: listField('purposes', 1),
  })
  .superRefine((v, ctx) => {
    if ((v.personalData ?? []).length + (v.personalDataOther ?? []).length === 0) {
      ctx.addIssue(issue('personalData', fieldMsg.atLeastOne('personalData', 'personalDataOther'), v.personalData));
    }
    if ((v.subjectCategories ?? []).length + (v.subjectCategoriesOther ?? []).length === 0) {
      ctx.addIssue(issue('subjectCategories', fieldMsg.atLeastOne('subjectCategories', 'subjectCategoriesOther'), v.subjectCategories));
    }
  });
export type SubmitPersonalDataListInput = z.input<typeof submitPersonalDataListInput>;

// ---------------------------------------------------------------------------------------------
// Review and reads

export const reviewApplicationInput = z
  .strictObject({
    inn: innField(),
    decision: z.enum(REVIEW_DECISION_CODES, { error: (iss) => (iss.input === undefined ? fieldMsg.required('decision') : fieldMsg.notAllowed('decision')) }),
    /** The reason of a refusal, shown to the holder (seed §4); required when REJECTED. */
    comment: textField('comment', LIMITS.comment).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'REJECTED' && v.comment === undefined) ctx.addIssue(issue('comment', fieldMsg.requiredWhen('comment', BECAUSE.rejected), v.comment));
  });
export type ReviewApplicationInput = z.input<typeof reviewApplicationInput>;

export const innOnlyInput = z.strictObject({ inn: innField() });
export type InnOnlyInput = z.input<typeof innOnlyInput>;

export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const listHoldersInput = z
  .strictObject({
    /** Case-insensitive substring of the holder's name. */
    name: textField('name', 200).optional(),
    inn: innField().optional(),
    status: z.enum(APPLICATION_STATUS_CODES, { error: fieldMsg.notAllowed('status') }).optional(),
    /** Bishkek calendar dates, inclusive. */
    registeredFrom: dateField('registeredFrom').optional(),
    registeredTo: dateField('registeredTo').optional(),
    cursor: patternField('cursor', CURSOR_PATTERN, 'cursor', 64).optional(),
    // Query strings and XML text arrive as strings; the number is the only coerced field.
    limit: z.coerce
      .number({ error: fieldMsg.outOfRange('limit', 1, 100) })
      .int(first(fieldMsg.outOfRange('limit', 1, 100)))
      .min(1, first(fieldMsg.outOfRange('limit', 1, 100)))
      .max(100, first(fieldMsg.outOfRange('limit', 1, 100)))
      .optional(),
  });
export type ListHoldersInput = z.input<typeof listHoldersInput>;

export const emptyInput = z.strictObject({});

// ---------------------------------------------------------------------------------------------
// Outputs

const textSchema = z.object({ ky: z.string(), ru: z.string(), en: z.string() });
const dateTime = z.string().describe('date-time with offset, e.g. 2022-06-15T21:34:32+06:00');

const addressOut = z.object({ region: z.string(), city: z.string(), district: z.string(), streetHouse: z.string() });

export const holderDataOutput = z.object({
  name: z.string(),
  legalAddress: addressOut,
  currentAddress: addressOut,
  ownershipForm: z.string(),
  subordination: z.string(),
  head: z.string(),
  okpo: z.string(),
  email: z.string(),
  phone: z.string(),
  /** Personal contacts: present only for clients allowed to see them. */
  responsiblePerson: z.object({ fullName: z.string(), email: z.string(), phone: z.string() }).optional(),
});

export const fieldSourceOutput = z.object({
  field: z.string(),
  source: z.enum(['MINJUST', 'HOLDER']),
  /** The consumer's own source tag, e.g. the MoJ service or its cache. */
  origin: z.string().optional(),
  fetchedAt: z.string().optional(),
  /** A MoJ copy older than its freshness limit (served while MoJ was unreachable). */
  stale: z.boolean().optional(),
  ageSeconds: z.number().int().optional(),
});

export const dataArraysOutput = z.object({
  arrayNames: z.array(z.string()),
  processingEndConditions: z.array(z.string()),
  recipients: z.array(z.string()),
  crossBorderTransfer: z.boolean(),
  crossBorderTransfers: z.array(z.object({ country: z.string(), recipientName: z.string(), agreement: z.string() })),
  notificationMethods: z.array(z.enum(NOTIFICATION_METHOD_CODES)),
  notificationMethodsOther: z.array(z.string()),
  securityMeasures: z.array(z.enum(SECURITY_MEASURE_CODES)),
  securityMeasuresOther: z.array(z.string()),
  processorKind: z.enum(PROCESSOR_KIND_CODES),
  processor: z.object({ name: z.string(), contacts: z.string(), contractDetails: z.array(z.string()) }).optional(),
});

export const personalDataListOutput = z.object({
  personalData: z.array(z.enum(PERSONAL_DATA_CODES)),
  personalDataOther: z.array(z.string()),
  specialCategories: z.array(z.enum(SPECIAL_CATEGORY_CODES)),
  specialCategoriesOther: z.array(z.string()),
  subjectCategories: z.array(z.enum(SUBJECT_CATEGORY_CODES)),
  subjectCategoriesOther: z.array(z.string()),
  sources: z.array(z.string()),
  purposes: z.array(z.string()),
});

const statusFields = {
  inn: z.string(),
  status: z.enum(APPLICATION_STATUS_CODES),
  statusLabel: textSchema,
  registrationNumber: z.string().optional(),
  registeredAt: dateTime.optional(),
  /** When the Agency received the stage-III submission; the review period runs from here. */
  submittedAt: dateTime.optional(),
  dueDate: z.string().optional(),
  overdue: z.boolean(),
  reviewComment: z.string().optional(),
  reviewedAt: dateTime.optional(),
};

export const applicationStatusOutput = z.object(statusFields);

export const holderOutput = z.object({
  ...statusFields,
  holder: holderDataOutput,
  sources: z.array(fieldSourceOutput),
  dataArrays: dataArraysOutput.optional(),
  personalDataList: personalDataListOutput.optional(),
  contactsHidden: z.boolean(),
  version: z.number().int(),
  updatedAt: dateTime,
});

export const registrationOutput = z.object({
  inn: z.string(),
  status: z.enum(APPLICATION_STATUS_CODES),
  statusLabel: textSchema,
  registrationNumber: z.string(),
  registeredAt: dateTime,
  /** True when this call assigned the number; false when stage II was edited later. */
  newlyRegistered: z.boolean(),
});

export const listHoldersOutput = z.object({
  items: z.array(
    z.object({ inn: z.string(), name: z.string(), registrationNumber: z.string(), registeredAt: dateTime, status: z.enum(APPLICATION_STATUS_CODES), statusLabel: textSchema }),
  ),
  /** Absent on the last page. */
  nextCursor: z.string().optional(),
});

export const overdueReportOutput = z.object({
  generatedAt: dateTime,
  items: z.array(
    z.object({
      inn: z.string(),
      name: z.string(),
      registrationNumber: z.string().optional(),
      submittedAt: dateTime,
      dueDate: z.string(),
      workingDaysOverdue: z.number().int(),
    }),
  ),
});

export const historyOutput = z.object({
  inn: z.string(),
  versions: z.array(
    z.object({
      version: z.number().int(),
      at: dateTime,
      operation: z.string(),
      client: z.string(),
      actorPin: z.string().optional(),
      statusBefore: z.enum(APPLICATION_STATUS_CODES).optional(),
      statusAfter: z.enum(APPLICATION_STATUS_CODES),
      /** Each changed leaf: its path and the JSON of the old and new value (absent = did not exist). */
      changes: z.array(z.object({ path: z.string(), before: z.string().optional(), after: z.string().optional() })),
    }),
  ),
});

export type HolderData = z.infer<typeof holderDataOutput>;
export type Address = z.infer<typeof addressOut>;
export type FieldSource = z.infer<typeof fieldSourceOutput>;
export type DataArrays = z.infer<typeof dataArraysOutput>;
export type PersonalDataList = z.infer<typeof personalDataListOutput>;
export type ApplicationStatusView = z.infer<typeof applicationStatusOutput>;
export type HolderView = z.infer<typeof holderOutput>;
export type RegistrationView = z.infer<typeof registrationOutput>;
export type HolderList = z.infer<typeof listHoldersOutput>;
export type OverdueReport = z.infer<typeof overdueReportOutput>;
export type HolderHistory = z.infer<typeof historyOutput>;
