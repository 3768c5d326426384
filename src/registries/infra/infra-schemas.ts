import { z } from 'zod';
import { ELEMENT_TYPES, FUNDING_KINDS, INFRA_STATUSES, LEGAL_ACT_ROLES, REFUSAL_GROUNDS } from './infra-vocabulary.js';

/**
 * Input and output shapes of the infrastructure registry's operations. They carry structure
 * only (types, enums, what must be present), so that SOAP, JSON, WSDL and OpenAPI all derive
 * from them: plain objects, arrays, enums, strings, numbers and booleans. The domain checks
 * (formats, lengths, conditional fields) live in infra-validation.ts with their ky/ru/en texts,
 * and the §20 data is optional field by field because its completeness is the operator's check
 * (Rules §22), computed by the service rather than refused at the door.
 */

const text = z.string();
const opt = text.optional();

export const elementTypeSchema = z.enum(ELEMENT_TYPES);
export const statusSchema = z.enum(INFRA_STATUSES);
export const refusalGroundSchema = z.enum(REFUSAL_GROUNDS);

const textSchema = z.object({ ky: text, ru: text, en: text });

// ---- inputs ---------------------------------------------------------------------------------

export const noticeInputSchema = z.object({
  /** Set only to send the notification again for an element whose registration was refused (§23). */
  elementId: opt,
  subject: z.object({ name: text, address: text }),
  element: z.object({ fullName: text, shortName: text, elementType: elementTypeSchema }),
  /** The authorized employee (§18): competent in IT, answers for the accuracy of the data. */
  employee: z.object({ fullName: text, position: text, email: text }),
});
export type NoticeInput = z.infer<typeof noticeInputSchema>;

export const legalActSchema = z.object({
  role: z.enum(LEGAL_ACT_ROLES),
  /** Kind of act: decree, order, resolution, … */
  kind: opt,
  title: opt,
  number: opt,
  date: opt,
  issuer: opt,
});

export const officialSchema = z.object({ fullName: opt, position: opt, email: opt, phone: opt });

/** The 17 items of Rules §20 (12 and 17's scan arrive as attachments beside this object). */
export const elementDataSchema = z.object({
  /** Item 1. */
  fullName: opt,
  shortName: opt,
  /** Item 2. */
  elementType: elementTypeSchema.optional(),
  /** Item 3: true when the owner operates the element itself; otherwise `operator` names who does. */
  ownerIsOperator: z.boolean().optional(),
  operator: z.object({ name: opt, address: opt, contact: opt }).optional(),
  /** Item 4. */
  purpose: opt,
  direction: opt,
  mainFunctions: z.array(text).optional(),
  areaOfUse: opt,
  /** Item 5. */
  legalActs: z.array(legalActSchema).optional(),
  /** Item 6. */
  responsibleUnit: z.object({ unitName: opt, officials: z.array(officialSchema).optional() }).optional(),
  /** Item 7. */
  architecture: opt,
  /** Items 8–11. */
  software: z.array(text).optional(),
  informationResources: z.array(text).optional(),
  interactingSystems: z.array(text).optional(),
  informationServices: z.array(text).optional(),
  /** Item 13. */
  location: z.object({ address: opt, maintainer: opt }).optional(),
  /** Item 14. */
  developer: z.object({ name: opt, contact: opt, contractRequisites: opt }).optional(),
  /** Item 15. */
  numberOfUsers: z.number().optional(),
  /** Item 16. */
  fundingSource: z.object({ kind: z.enum(FUNDING_KINDS).optional(), details: opt }).optional(),
  /** Item 17 (requisites; the scan is `commissioningActFile`). */
  commissioningAct: z.object({ number: opt, date: opt }).optional(),
});
export type ElementData = z.infer<typeof elementDataSchema>;

export const elementSubmissionSchema = z.object({
  elementId: text,
  data: elementDataSchema,
  /** Item 12: content ids of the technical documentation scans. */
  technicalDocumentation: z.array(text).optional(),
  /** Item 17: content id of the commissioning act scan. */
  commissioningActFile: opt,
});
export type ElementSubmission = z.infer<typeof elementSubmissionSchema>;

export const forwardInputSchema = z.object({ elementId: text, comment: opt });
export type ForwardInput = z.infer<typeof forwardInputSchema>;

export const grantInputSchema = z.object({
  elementId: text,
  /** The employee's PIN when the operator knows it; otherwise the BIS e-mail decides who the employee is. */
  employeePin: opt,
});
export type GrantInput = z.infer<typeof grantInputSchema>;

export const decisionInputSchema = z.object({
  elementId: text,
  decision: z.enum(['REGISTERED', 'REFUSED']),
  refusalGround: refusalGroundSchema.optional(),
  comment: opt,
});
export type DecisionInput = z.infer<typeof decisionInputSchema>;

export const deregistrationNoticeInputSchema = z.object({
  elementId: text,
  /** Day the subject decided to stop operating the element (§30), YYYY-MM-DD. */
  decisionDate: text,
  decisionNumber: opt,
  reason: opt,
  /** Content id of the copy of that decision. */
  decisionCopy: text,
});
export type DeregistrationNoticeInput = z.infer<typeof deregistrationNoticeInputSchema>;

export const deregisterInputSchema = z.object({
  elementId: text,
  /** The authorized body's agreement (§29): its number/reference and date. */
  agreementReference: text,
  agreementDate: opt,
  comment: opt,
});
export type DeregisterInput = z.infer<typeof deregisterInputSchema>;

export const getElementInputSchema = z.object({ elementId: text });
export type GetElementInput = z.infer<typeof getElementInputSchema>;

export const listElementsInputSchema = z.object({
  elementType: elementTypeSchema.optional(),
  /** Accounting subject: member id instance/class/code. */
  subject: opt,
  status: statusSchema.optional(),
  /** Substring of the element's full or short name or the subject's name, any case. */
  text: opt,
  cursor: opt,
  // Query strings arrive as text on /api/v1.
  limit: z.coerce.number().optional(),
});
export type ListElementsInput = z.infer<typeof listElementsInputSchema>;

// ---- outputs --------------------------------------------------------------------------------

export const PENDING_STEPS = ['FORWARDING', 'ACCESS', 'DATA', 'DECISION', 'RESUBMISSION', 'DEREGISTRATION'] as const;
export type PendingStep = (typeof PENDING_STEPS)[number];

export const pendingStepSchema = z.object({
  /** Who acts next: forwarding (authorized body), access/decision/deregistration (operator), data/resubmission (subject). */
  step: z.enum(PENDING_STEPS),
  since: text,
  /** Calendar date (Bishkek) the step is due; absent for steps the Rules give no term. */
  dueDate: opt,
  overdue: z.boolean(),
});

export const attachmentMetaSchema = z.object({
  attachmentId: text,
  role: z.enum(['TECHNICAL_DOCUMENTATION', 'COMMISSIONING_ACT', 'DEREGISTRATION_DECISION']),
  contentType: text,
  filename: opt,
  sizeBytes: z.number(),
  sha256: text,
  uploadedAt: text,
});
export type AttachmentMeta = z.infer<typeof attachmentMetaSchema>;

export const versionSchema = z.object({
  version: z.number(),
  kind: z.enum(['SUBMISSION', 'UPDATE']),
  submittedAt: text,
  submittedByClient: text,
  data: elementDataSchema,
  attachmentIds: z.array(text),
  missingItems: z.array(z.number()),
});
export type ElementVersion = z.infer<typeof versionSchema>;

export const historyEntrySchema = z.object({
  action: text,
  fromStatus: statusSchema.optional(),
  toStatus: statusSchema,
  at: text,
  actorClient: text,
  actorUserId: opt,
  /** Done after its due date. */
  late: z.boolean().optional(),
  comment: opt,
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const refusalSchema = z.object({
  ground: refusalGroundSchema,
  groundText: textSchema,
  missingItems: z.array(z.object({ item: z.number(), title: textSchema })),
  comment: opt,
  decidedAt: text,
});

export const elementSummarySchema = z.object({
  elementId: text,
  registryNumber: opt,
  status: statusSchema,
  elementType: elementTypeSchema,
  fullName: text,
  shortName: text,
  subjectMember: text,
  subjectName: text,
  registeredAt: opt,
  updatedAt: text,
});
export type ElementSummary = z.infer<typeof elementSummarySchema>;

export const elementViewSchema = elementSummarySchema.extend({
  statusText: textSchema,
  elementTypeText: textSchema,
  subjectAddress: text,
  employee: z.object({ fullName: text, position: text, email: text }),
  grant: z.object({ email: text, employeePin: opt, grantedAt: text, grantedBy: text }).optional(),
  pending: pendingStepSchema.optional(),
  currentVersion: z.number().optional(),
  current: elementDataSchema.optional(),
  refusal: refusalSchema.optional(),
  deregistration: z
    .object({
      decisionDate: text,
      decisionNumber: opt,
      reason: opt,
      noticeReceivedAt: text,
      /** Received later than 7 days after the decision (§30): accepted, flagged. */
      noticeLate: z.boolean(),
      agreementReference: opt,
      agreementDate: opt,
      deregisteredAt: opt,
    })
    .optional(),
  versions: z.array(versionSchema),
  history: z.array(historyEntrySchema),
  attachments: z.array(attachmentMetaSchema),
});
export type ElementView = z.infer<typeof elementViewSchema>;

export const listElementsOutputSchema = z.object({ items: z.array(elementSummarySchema), nextCursor: opt });
export type ListElementsOutput = z.infer<typeof listElementsOutputSchema>;

/** What every state-changing operation answers: where the element now stands. */
export const transitionOutputSchema = z.object({
  elementId: text,
  status: statusSchema,
  at: text,
  pending: pendingStepSchema.optional(),
  /** This step was done after its due date. */
  late: z.boolean().optional(),
});
export type TransitionOutput = z.infer<typeof transitionOutputSchema>;

export const submissionOutputSchema = transitionOutputSchema.extend({
  version: z.number(),
  /** §20 items not (fully) given; the operator will refuse as INCOMPLETE_DATA while any remain. */
  missingItems: z.array(z.number()),
  attachments: z.array(attachmentMetaSchema),
});
export type SubmissionOutput = z.infer<typeof submissionOutputSchema>;

export const grantOutputSchema = transitionOutputSchema.extend({ grantedEmail: text });
export type GrantOutput = z.infer<typeof grantOutputSchema>;

export const decisionOutputSchema = transitionOutputSchema.extend({ registryNumber: opt, refusal: refusalSchema.optional() });
export type DecisionOutput = z.infer<typeof decisionOutputSchema>;

export const deregistrationNoticeOutputSchema = transitionOutputSchema.extend({
  /** Last day the notice was due: 7 calendar days after the decision (§30). */
  noticeDueDate: text,
  noticeLate: z.boolean(),
});
export type DeregistrationNoticeOutput = z.infer<typeof deregistrationNoticeOutputSchema>;

export const emptyInputSchema = z.object({});

/** Everything past its term (Rules §19, §21, §31), oldest due first. */
export const overdueReportSchema = z.object({
  generatedAt: text,
  items: z.array(
    z.object({
      elementId: text,
      registryNumber: opt,
      status: statusSchema,
      step: z.enum(PENDING_STEPS),
      subjectMember: text,
      subjectName: text,
      fullName: text,
      since: text,
      dueDate: text,
      daysOverdue: z.number(),
      workingDaysOverdue: z.number(),
    }),
  ),
});
export type OverdueReport = z.infer<typeof overdueReportSchema>;
