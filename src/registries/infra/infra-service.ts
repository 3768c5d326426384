import crypto from 'node:crypto';
import { bishkekDate, startOfBishkekDay, type WorkingCalendar } from '../../calendar/working-calendar.js';
import type { BisClient } from '../../consumers/types.js';
import { AppError, type FieldError } from '../../errors/app-error.js';
import type { Logger } from '../../log/logger.js';
import type { Attachment, CallContext } from '../../operations/types.js';
import type { Store } from '../../store/store.js';
import { DEFAULT_INFRA_LIMITS, resolveAttachments, sha256Hex, baseContentType, type AttachmentRole, type InfraLimits, type ResolvedFile } from './infra-attachments.js';
import { fieldError } from './infra-reasons.js';
import { assertInfraAccess, subjectMemberOf, type InfraOperation, type InfraRoles } from './infra-roles.js';
import type {
  AttachmentMeta,
  DecisionInput,
  DecisionOutput,
  DeregisterInput,
  DeregistrationNoticeInput,
  DeregistrationNoticeOutput,
  ElementData,
  ElementSubmission,
  ElementSummary,
  ElementView,
  ForwardInput,
  GetElementInput,
  GrantInput,
  GrantOutput,
  ListElementsInput,
  ListElementsOutput,
  NoticeInput,
  OverdueReport,
  PendingStep,
  SubmissionOutput,
  TransitionOutput,
} from './infra-schemas.js';
import { nextStatus, type InfraAction } from './infra-state-machine.js';
import { InfraStore, type AttachmentRow, type ElementRow, type EventRow } from './infra-store.js';
import {
  missingItems,
  validateDecision,
  validateDeregister,
  validateDeregistrationNotice,
  validateElementData,
  validateForward,
  validateGrant,
  validateList,
  validateNotice,
} from './infra-validation.js';
import { ELEMENT_TYPE_TEXT, ITEM_TEXT, REFUSAL_GROUND_TEXT, STATUS_TEXT, type ElementType, type InfraStatus, type ItemNumber, type RefusalGround } from './infra-vocabulary.js';

export interface InfraServiceDeps {
  store: Store;
  bis: BisClient;
  calendar: WorkingCalendar;
  logger: Logger;
  /** Clock for calls that carry no `now` of their own (reports, direct calls). */
  now?: () => Date;
  roles: InfraRoles;
  limits?: Partial<InfraLimits>;
}

/** Who acts, and when: the part of the transport's CallContext the registry uses. */
export type InfraActor = Pick<CallContext, 'client'> & Partial<Pick<CallContext, 'userId' | 'attachments' | 'now' | 'requestId'>>;

/** Registry numbers are "EGI-" and a gap-free sequence of at least six digits: EGI-000001, EGI-000002, … */
export function formatRegistryNumber(n: number): string {
  return `EGI-${String(n).padStart(6, '0')}`;
}

export const REGISTRY_NUMBER_COUNTER = 'registry_number';

/** Terms of the Rules: forwarding 3 days (§19), decision 3 working days (§21), deregistration 3 working days (§31), notice 7 days (§30). */
export const TERMS = { forwardCalendarDays: 3, decisionWorkingDays: 3, deregistrationWorkingDays: 3, deregistrationNoticeDays: 7 } as const;

interface Refusal {
  ground: RefusalGround;
  missingItems: ItemNumber[];
  comment?: string;
  decidedAtMs: number;
}

interface Deregistration {
  decisionDate: string;
  decisionNumber?: string;
  reason?: string;
  noticeReceivedAtMs: number;
  noticeDueDate: string;
  noticeLate: boolean;
  agreementReference?: string;
  agreementDate?: string;
  deregisteredAtMs?: number;
}

/** The step an element waits on once it is in `status`, and by when (only where the Rules set a term). */
interface Pending {
  step: PendingStep;
  dueDate?: string;
  dueAt?: Date;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const parseJson = <T>(s: string | null): T | undefined => (s ? (JSON.parse(s) as T) : undefined);
const searchText = (...parts: string[]): string => parts.join('\n').toLowerCase();

/**
 * The registry of state e-governance infrastructure elements (seed 004, CONTRACT §5): the rules,
 * roles, terms and states. Transports call it through the operations of infra-operations.ts;
 * tests and the demo may call it directly.
 */
export class InfraService {
  private readonly db: InfraStore;
  private readonly limits: InfraLimits;

  constructor(private readonly deps: InfraServiceDeps) {
    this.db = InfraStore.of(deps.store);
    this.limits = { ...DEFAULT_INFRA_LIMITS, ...deps.limits };
  }

  // ---- registration (§18–23) ----------------------------------------------------------------

  /** §18: the accounting subject's notice; with `elementId`, the notice sent again after a refusal (§23). */
  async submitRegistrationNotice(input: NoticeInput, actor: InfraActor): Promise<TransitionOutput> {
    const now = this.now(actor);
    assertInfraAccess('submitRegistrationNotice', actor.client, this.deps.roles);
    this.fail(validateNotice(input));
    const notice = {
      subject_name: input.subject.name,
      subject_address: input.subject.address,
      element_type: input.element.elementType,
      full_name: input.element.fullName,
      short_name: input.element.shortName,
      search_text: searchText(input.element.fullName, input.element.shortName, input.subject.name),
      employee_full_name: input.employee.fullName,
      employee_position: input.employee.position,
      employee_email: input.employee.email,
    };
    if (input.elementId !== undefined) {
      // A new notice names the employee afresh, so any earlier input grant ends with it.
      const { row } = await this.transition(input.elementId, 'SUBMIT_NOTICE', 'submitRegistrationNotice', actor, now, {
        patch: () => ({ ...notice, grant_email: null, grant_pin: null, granted_at_ms: null, granted_by: null }),
      });
      return this.transitionOutput(row, now);
    }
    const status = nextStatus(null, 'SUBMIT_NOTICE');
    const pending = this.pendingFor(status, now);
    const row: Omit<ElementRow, 'seq'> = {
      id: crypto.randomUUID(),
      registry_number: null,
      status,
      row_version: 0,
      subject_member: subjectMemberOf(actor.client),
      subject_client: actor.client,
      ...notice,
      grant_email: null,
      grant_pin: null,
      granted_at_ms: null,
      granted_by: null,
      current_version: null,
      ...this.pendingColumns(pending, now),
      registered_at_ms: null,
      refusal_json: null,
      deregistration_json: null,
      created_at_ms: now.getTime(),
      updated_at_ms: now.getTime(),
    };
    await this.db.transaction(async (tx) => {
      await tx.insertElement(row);
      await tx.insertEvent(this.event(row.id, 'SUBMIT_NOTICE', null, status, actor, now));
    });
    this.deps.logger.info('infra notice submitted', { elementId: row.id, requestId: actor.requestId });
    return this.transitionOutput({ ...row, seq: 0 }, now);
  }

  /** §19: the authorized body forwards the notice to the operator, due 3 days from receipt. */
  async forwardNotice(input: ForwardInput, actor: InfraActor): Promise<TransitionOutput> {
    const now = this.now(actor);
    assertInfraAccess('forwardNotice', actor.client, this.deps.roles);
    this.fail(validateForward(input));
    const { row, late } = await this.transition(input.elementId, 'FORWARD', 'forwardNotice', actor, now, { comment: input.comment });
    return { ...this.transitionOutput(row, now), late };
  }

  /** §19: the operator grants online input rights bound to the employee's departmental e-mail. */
  async grantInputAccess(input: GrantInput, actor: InfraActor): Promise<GrantOutput> {
    const now = this.now(actor);
    assertInfraAccess('grantInputAccess', actor.client, this.deps.roles);
    this.fail(validateGrant(input, bishkekDate(now)));
    const { row } = await this.transition(input.elementId, 'GRANT_ACCESS', 'grantInputAccess', actor, now, {
      patch: (r) => ({ grant_email: r.employee_email, grant_pin: input.employeePin ?? null, granted_at_ms: now.getTime(), granted_by: actor.client }),
    });
    return { ...this.transitionOutput(row, now), grantedEmail: row.grant_email as string };
  }

  /** §20: the granted employee enters the 17 items; also the corrected data after a refusal (§23). */
  async submitElementData(input: ElementSubmission, actor: InfraActor): Promise<SubmissionOutput> {
    return this.submitData(input, actor, 'SUBMIT_DATA', 'submitElementData');
  }

  /** §24: modernisation or change of a registered element: a new, complete version. */
  async updateElement(input: ElementSubmission, actor: InfraActor): Promise<SubmissionOutput> {
    return this.submitData(input, actor, 'UPDATE', 'updateElement');
  }

  /**
   * §21–23: register (a registry number is assigned) or refuse on exactly one of the two grounds.
   * Completeness is the service's computation over the submitted data, never the operator's typing.
   */
  async decideRegistration(input: DecisionInput, actor: InfraActor): Promise<DecisionOutput> {
    const now = this.now(actor);
    assertInfraAccess('decideRegistration', actor.client, this.deps.roles);
    this.fail(validateDecision(input));
    const action: InfraAction = input.decision === 'REGISTERED' ? 'REGISTER' : 'REFUSE';
    let refusal: Refusal | undefined;
    const { row, late } = await this.transition(input.elementId, action, 'decideRegistration', actor, now, {
      comment: input.comment,
      patch: async (r, tx) => {
        const latest = await tx.latestVersion(r.id);
        const missing = latest ? (JSON.parse(latest.missing_items_json) as ItemNumber[]) : [];
        if (action === 'REGISTER') {
          if (missing.length) this.fail([fieldError('decision', 'infra.dataIncomplete', { items: missing.join(', ') })]);
          const registryNumber = r.registry_number ?? formatRegistryNumber(await tx.nextCounter(REGISTRY_NUMBER_COUNTER));
          return { registry_number: registryNumber, registered_at_ms: now.getTime(), refusal_json: null };
        }
        const ground = input.refusalGround as RefusalGround;
        if (ground === 'INCOMPLETE_DATA' && !missing.length) this.fail([fieldError('refusalGround', 'infra.dataComplete')]);
        refusal = { ground, missingItems: ground === 'INCOMPLETE_DATA' ? missing : [], comment: input.comment, decidedAtMs: now.getTime() };
        return { refusal_json: JSON.stringify(refusal) };
      },
      eventComment: () => (refusal ? `${refusal.ground}${refusal.missingItems.length ? ` [${refusal.missingItems.join(', ')}]` : ''}${input.comment ? `: ${input.comment}` : ''}` : input.comment),
    });
    this.deps.logger.info('infra registration decided', { elementId: row.id, status: row.status, registryNumber: row.registry_number ?? undefined, requestId: actor.requestId });
    return {
      ...this.transitionOutput(row, now),
      late,
      registryNumber: row.registry_number ?? undefined,
      refusal: refusal ? this.refusalView(refusal) : undefined,
    };
  }

  // ---- deregistration (§28–31) ----------------------------------------------------------------

  /** §30: the subject's notice with a copy of its decision; due 7 days after that decision, late ones accepted and flagged. */
  async submitDeregistrationNotice(input: DeregistrationNoticeInput, actor: InfraActor): Promise<DeregistrationNoticeOutput> {
    const now = this.now(actor);
    // Who before what: another organisation learns nothing about this element from validation errors.
    await this.accessible('submitDeregistrationNotice', input.elementId, actor);
    const errors = validateDeregistrationNotice(input, bishkekDate(now));
    const { files, errors: fileErrors } = resolveAttachments(
      errors.some((e) => e.field === 'decisionCopy') ? [] : [{ field: 'decisionCopy', role: 'DEREGISTRATION_DECISION', contentId: input.decisionCopy }],
      actor.attachments ?? [],
      this.limits,
    );
    this.fail([...errors, ...fileErrors]);
    const noticeDue = this.deps.calendar.addCalendarDays(startOfBishkekDay(input.decisionDate), TERMS.deregistrationNoticeDays);
    const noticeLate = now.getTime() > noticeDue.dueAt.getTime();
    const dereg: Deregistration = {
      decisionDate: input.decisionDate,
      decisionNumber: input.decisionNumber,
      reason: input.reason,
      noticeReceivedAtMs: now.getTime(),
      noticeDueDate: noticeDue.dueDate,
      noticeLate,
    };
    const { row } = await this.transition(input.elementId, 'REQUEST_DEREGISTRATION', 'submitDeregistrationNotice', actor, now, {
      comment: input.reason,
      late: noticeLate,
      patch: async (r, tx) => {
        await this.storeFiles(tx, r.id, files, actor, now);
        return { deregistration_json: JSON.stringify(dereg) };
      },
    });
    if (noticeLate) this.deps.logger.info('infra deregistration notice late', { elementId: row.id, requestId: actor.requestId });
    return { ...this.transitionOutput(row, now), late: noticeLate, noticeDueDate: noticeDue.dueDate, noticeLate };
  }

  /** §29, §31: the operator, in agreement with the authorized body, records the end of operation. History stays. */
  async deregisterElement(input: DeregisterInput, actor: InfraActor): Promise<TransitionOutput> {
    const now = this.now(actor);
    assertInfraAccess('deregisterElement', actor.client, this.deps.roles);
    this.fail(validateDeregister(input, bishkekDate(now)));
    const { row, late } = await this.transition(input.elementId, 'DEREGISTER', 'deregisterElement', actor, now, {
      comment: input.comment,
      patch: (r) => {
        const d = parseJson<Deregistration>(r.deregistration_json) as Deregistration;
        const next: Deregistration = { ...d, agreementReference: input.agreementReference, agreementDate: input.agreementDate, deregisteredAtMs: now.getTime() };
        return { deregistration_json: JSON.stringify(next) };
      },
    });
    return { ...this.transitionOutput(row, now), late };
  }

  // ---- reading ------------------------------------------------------------------------------

  /** One element: current data, every version, the status history and the attachments' metadata. */
  async getElement(input: GetElementInput, actor: InfraActor): Promise<ElementView> {
    const now = this.now(actor);
    const row = await this.accessible('getElement', input.elementId, actor);
    const [versions, events, attachments] = await Promise.all([this.db.versions(row.id), this.db.events(row.id), this.db.attachments(row.id)]);
    const refusal = row.status === 'REFUSED' ? parseJson<Refusal>(row.refusal_json) : undefined;
    const dereg = parseJson<Deregistration>(row.deregistration_json);
    const current = versions.at(-1);
    return {
      ...this.summary(row),
      statusText: STATUS_TEXT[row.status],
      elementTypeText: ELEMENT_TYPE_TEXT[row.element_type as ElementType],
      subjectAddress: row.subject_address,
      employee: { fullName: row.employee_full_name, position: row.employee_position, email: row.employee_email },
      grant:
        row.grant_email && row.granted_at_ms !== null
          ? { email: row.grant_email, employeePin: row.grant_pin ?? undefined, grantedAt: iso(row.granted_at_ms), grantedBy: row.granted_by ?? '' }
          : undefined,
      pending: this.pendingView(row, now),
      currentVersion: row.current_version ?? undefined,
      current: current ? (JSON.parse(current.data_json) as ElementData) : undefined,
      refusal: refusal ? this.refusalView(refusal) : undefined,
      deregistration: dereg
        ? {
            decisionDate: dereg.decisionDate,
            decisionNumber: dereg.decisionNumber,
            reason: dereg.reason,
            noticeReceivedAt: iso(dereg.noticeReceivedAtMs),
            noticeLate: dereg.noticeLate,
            agreementReference: dereg.agreementReference,
            agreementDate: dereg.agreementDate,
            deregisteredAt: dereg.deregisteredAtMs !== undefined ? iso(dereg.deregisteredAtMs) : undefined,
          }
        : undefined,
      versions: versions.map((v) => ({
        version: v.version,
        kind: v.kind,
        submittedAt: iso(v.submitted_at_ms),
        submittedByClient: v.submitted_by_client,
        data: JSON.parse(v.data_json) as ElementData,
        attachmentIds: JSON.parse(v.attachment_ids_json) as string[],
        missingItems: JSON.parse(v.missing_items_json) as number[],
      })),
      history: events.map((e) => ({
        action: e.action,
        fromStatus: e.from_status ?? undefined,
        toStatus: e.to_status,
        at: iso(e.at_ms),
        actorClient: e.actor_client,
        actorUserId: e.actor_user ?? undefined,
        late: e.late ?? undefined,
        comment: e.comment ?? undefined,
      })),
      attachments: attachments.map((a) => this.attachmentMeta(a)),
    };
  }

  /** Elements by type, subject, status and text, in registration order, with an opaque cursor. */
  async listElements(input: ListElementsInput, actor: InfraActor): Promise<ListElementsOutput> {
    const decision = assertInfraAccess('listElements', actor.client, this.deps.roles);
    this.fail(validateList(input));
    const own = subjectMemberOf(actor.client);
    // A subject sees its own organisation's elements only (§33: others' data goes through the operator).
    if (decision.scope === 'own' && input.subject !== undefined && input.subject !== own) {
      assertInfraAccess('listElements', actor.client, this.deps.roles, { subjectMember: input.subject });
    }
    const afterSeq = input.cursor === undefined ? 0 : decodeCursor(input.cursor);
    if (afterSeq === undefined) this.fail([fieldError('cursor', 'infra.cursor')]);
    const limit = input.limit ?? 20;
    const rows = await this.db.list(
      {
        elementType: input.elementType,
        status: input.status,
        subjectMember: decision.scope === 'own' ? own : input.subject,
        text: input.text?.trim() ? input.text.trim().toLowerCase() : undefined,
      },
      afterSeq as number,
      limit,
    );
    const page = rows.slice(0, limit);
    return { items: page.map((r) => this.summary(r)), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].seq) : undefined };
  }

  /** A stored file, checked against the SHA-256 taken on receipt; a mismatch is refused and logged. */
  async getAttachment(input: { elementId: string; attachmentId: string }, actor: InfraActor): Promise<{ meta: AttachmentMeta; bytes: Buffer }> {
    const row = await this.accessible('getAttachment', input.elementId, actor);
    const a = await this.db.attachmentWithContent(row.id, input.attachmentId);
    if (!a) throw new AppError('NOT_FOUND');
    if (sha256Hex(a.content) !== a.sha256) {
      this.deps.logger.error('infra attachment integrity check failed', { elementId: row.id, attachmentId: a.id, requestId: actor.requestId });
      throw new AppError('ATTACHMENT_INTEGRITY');
    }
    return { meta: this.attachmentMeta(a), bytes: a.content };
  }

  /** The role rule alone, before any element is read: may this caller's role call the operation at all. */
  authorizeCaller(operation: InfraOperation, client: string): void {
    assertInfraAccess(operation, client, this.deps.roles);
  }

  /** Everything past its term: forwarding (§19), decision (§21), deregistration (§31). Operator and authorized body. */
  async overdueReport(actor: Pick<InfraActor, 'client' | 'now'>): Promise<OverdueReport> {
    const now = this.now(actor);
    assertInfraAccess('overdueReport', actor.client, this.deps.roles);
    const today = bishkekDate(now);
    const rows = await this.db.overdue(now.getTime());
    return {
      generatedAt: now.toISOString(),
      items: rows.map((r) => ({
        elementId: r.id,
        registryNumber: r.registry_number ?? undefined,
        status: r.status,
        step: r.pending_step as PendingStep,
        subjectMember: r.subject_member,
        subjectName: r.subject_name,
        fullName: r.full_name,
        since: iso(r.pending_since_ms as number),
        dueDate: r.due_date as string,
        daysOverdue: Math.round((Date.parse(today) - Date.parse(r.due_date as string)) / 86_400_000),
        workingDaysOverdue: this.deps.calendar.workingDaysBetween(r.due_date as string, today),
      })),
    };
  }

  // ---- internals ----------------------------------------------------------------------------

  private now(actor: Pick<InfraActor, 'now'>): Date {
    return actor.now ?? this.deps.now?.() ?? new Date();
  }

  private fail(errors: FieldError[]): void {
    if (errors.length) throw new AppError('VALIDATION_FAILED', { fields: errors });
  }

  /** The element, if the caller may use `operation` on it: roles that may not call it at all are refused before the lookup. */
  private async accessible(operation: InfraOperation, elementId: string, actor: InfraActor): Promise<ElementRow> {
    assertInfraAccess(operation, actor.client, this.deps.roles);
    const row = await this.db.findElement(elementId);
    if (!row) throw new AppError('NOT_FOUND');
    assertInfraAccess(operation, actor.client, this.deps.roles, { subjectMember: row.subject_member });
    return row;
  }

  /**
   * The one way a status changes: in a transaction, check who may act, ask the state machine for
   * the next status, apply the patch, set the next pending step and its term, compare-and-set the
   * row and record the event with actor, time and lateness.
   */
  private async transition(
    elementId: string,
    action: InfraAction,
    operation: InfraOperation,
    actor: InfraActor,
    now: Date,
    opts: {
      patch?: (row: ElementRow, tx: InfraStore) => Partial<ElementRow> | Promise<Partial<ElementRow>>;
      comment?: string;
      eventComment?: () => string | undefined;
      /** Lateness to record instead of "done after the pending step's due instant". */
      late?: boolean;
      /** The row version the caller checked outside the transaction (e.g. before asking BIS). */
      expectRowVersion?: number;
    } = {},
  ): Promise<{ row: ElementRow; late: boolean }> {
    assertInfraAccess(operation, actor.client, this.deps.roles);
    const result = await this.db.transaction(async (tx) => {
      const row = await tx.findElement(elementId);
      if (!row) throw new AppError('NOT_FOUND');
      assertInfraAccess(operation, actor.client, this.deps.roles, { subjectMember: row.subject_member });
      const to = nextStatus(row.status, action);
      if (opts.expectRowVersion !== undefined && opts.expectRowVersion !== row.row_version) throw this.concurrentChange(row.status);
      const late = opts.late ?? (row.due_at_ms !== null && now.getTime() > row.due_at_ms);
      const patch = opts.patch ? await opts.patch(row, tx) : {};
      const pending = to === row.status ? undefined : this.pendingFor(to, now);
      const next: Partial<ElementRow> = { ...patch, status: to, updated_at_ms: now.getTime(), ...(to === row.status ? {} : this.pendingColumns(pending, now)) };
      if (!(await tx.updateElement(row.id, row.row_version, next))) throw this.concurrentChange((await tx.findElement(row.id))?.status ?? row.status);
      await tx.insertEvent(this.event(row.id, action, row.status, to, actor, now, late, opts.eventComment ? opts.eventComment() : opts.comment));
      return { row: { ...row, ...next, row_version: row.row_version + 1 } as ElementRow, late };
    });
    this.deps.logger.info('infra element transition', { elementId: result.row.id, action, status: result.row.status, late: result.late, requestId: actor.requestId });
    return result;
  }

  private concurrentChange(status: InfraStatus): AppError {
    // Another request changed the element first; the caller sees where it now stands.
    return new AppError('INVALID_STATE', {
      detail: { ky: `Элемент ушул учурда өзгөртүлдү; абалы: ${status}.`, ru: `Элемент только что изменен; состояние: ${status}.`, en: `The element was changed meanwhile; its state is ${status}.` },
    });
  }

  private async submitData(input: ElementSubmission, actor: InfraActor, action: 'SUBMIT_DATA' | 'UPDATE', operation: 'submitElementData' | 'updateElement'): Promise<SubmissionOutput> {
    const now = this.now(actor);
    const seen = await this.accessible(operation, input.elementId, actor);
    const errors = validateElementData(input.data, bishkekDate(now));
    const docs = input.technicalDocumentation ?? [];
    if (docs.length > this.limits.technicalDocumentsMax) errors.push(fieldError('technicalDocumentation', 'infra.tooManyItems', { max: this.limits.technicalDocumentsMax }));
    const refs: Array<{ field: string; role: AttachmentRole; contentId: string }> = docs.map((contentId, i) => ({ field: `technicalDocumentation[${i}]`, role: 'TECHNICAL_DOCUMENTATION', contentId }));
    if (input.commissioningActFile !== undefined) refs.push({ field: 'commissioningActFile', role: 'COMMISSIONING_ACT', contentId: input.commissioningActFile });
    const { files, errors: fileErrors } = resolveAttachments(refs, actor.attachments ?? [], this.limits);
    this.fail([...errors, ...fileErrors]);

    nextStatus(seen.status, action);
    // Who may enter data is checked before the transaction: BIS is a network call, never made while holding the row.
    await this.assertGrantedEmployee(seen, actor, now);

    let version = 0;
    let missing: ItemNumber[] = [];
    let storedMeta: AttachmentMeta[] = [];
    const { row } = await this.transition(seen.id, action, operation, actor, now, {
      // The grant may have changed since it was checked against BIS: then this is not the employee's submission.
      expectRowVersion: seen.row_version,
      patch: async (r, tx) => {
        const previous = await tx.latestVersion(r.id);
        const prevIds = previous ? (JSON.parse(previous.attachment_ids_json) as string[]) : [];
        const prevRows = prevIds.length ? (await tx.attachments(r.id)).filter((a) => prevIds.includes(a.id)) : [];
        const stored = await this.storeFiles(tx, r.id, files, actor, now);
        // Files of a role the request does not bring carry over from the previous version.
        const broughtRoles = new Set(files.map((f) => f.role));
        const all = [...prevRows.filter((a) => !broughtRoles.has(a.role as AttachmentRole)), ...stored];
        storedMeta = all.map((a) => this.attachmentMeta(a));
        missing = missingItems(input.data, {
          technicalDocumentation: all.filter((a) => a.role === 'TECHNICAL_DOCUMENTATION').length,
          commissioningAct: all.some((a) => a.role === 'COMMISSIONING_ACT'),
        });
        // §24: a registered element stays complete; an update that drops an item is refused, not stored.
        if (action === 'UPDATE' && missing.length) this.fail([fieldError('data', 'infra.dataIncomplete', { items: missing.join(', ') })]);
        version = (r.current_version ?? 0) + 1;
        await tx.insertVersion({
          element_id: r.id,
          version,
          kind: action === 'UPDATE' ? 'UPDATE' : 'SUBMISSION',
          data_json: JSON.stringify(input.data),
          attachment_ids_json: JSON.stringify(all.map((a) => a.id)),
          missing_items_json: JSON.stringify(missing),
          submitted_at_ms: now.getTime(),
          submitted_by_client: actor.client,
          submitted_by_user: actor.userId ?? null,
        });
        const fullName = input.data.fullName?.trim() ? input.data.fullName : r.full_name;
        const shortName = input.data.shortName?.trim() ? input.data.shortName : r.short_name;
        return {
          current_version: version,
          element_type: input.data.elementType ?? r.element_type,
          full_name: fullName,
          short_name: shortName,
          search_text: searchText(fullName, shortName, r.subject_name),
        };
      },
    });
    return { ...this.transitionOutput(row, now), version, missingItems: missing, attachments: storedMeta };
  }

  /**
   * §19–20, §23(1): only the employee the operator granted may enter data: `xrd:userId` equal to
   * the PIN recorded in the grant, or a PIN whose BIS person record has the granted e-mail.
   * A refused attempt is recorded in the element's history for the operator.
   */
  private async assertGrantedEmployee(row: ElementRow, actor: InfraActor, now: Date): Promise<void> {
    if (!actor.userId) {
      throw new AppError('UNAUTHENTICATED', {
        detail: { ky: 'Аракет кылган адамдын ПИНи (xrd:userId) талап кылынат.', ru: 'Требуется ПИН действующего лица (xrd:userId).', en: 'The acting person’s PIN (xrd:userId) is required.' },
      });
    }
    if (row.grant_pin !== null && row.grant_pin === actor.userId) return;
    if (row.grant_email !== null) {
      const email = await this.bisEmail(actor);
      if (email !== undefined && email.trim().toLowerCase() === row.grant_email.trim().toLowerCase()) return;
    }
    await this.db.insertEvent(this.event(row.id, 'SUBMISSION_REFUSED', row.status, row.status, actor, now, false, 'NOT_GRANTED_EMPLOYEE'));
    this.deps.logger.warn('infra data submission by a person without the grant refused', { elementId: row.id, requestId: actor.requestId });
    throw new AppError('NOT_GRANTED_EMPLOYEE');
  }

  private async bisEmail(actor: InfraActor): Promise<string | undefined> {
    try {
      return (await this.deps.bis.getPersonByPin(actor.userId as string, { userId: actor.userId, requestId: actor.requestId ?? '' })).email;
    } catch (e) {
      // A PIN BIS does not know is simply not the granted employee; BIS being down is the caller's 503.
      if (e instanceof AppError && e.code === 'NOT_FOUND') return undefined;
      throw e;
    }
  }

  private async storeFiles(tx: InfraStore, elementId: string, files: ResolvedFile[], actor: InfraActor, now: Date): Promise<AttachmentRow[]> {
    const out: AttachmentRow[] = [];
    for (const f of files) {
      const a: Attachment = f.attachment;
      const row: AttachmentRow = {
        id: crypto.randomUUID(),
        element_id: elementId,
        role: f.role,
        content_type: baseContentType(a.contentType),
        filename: a.filename?.slice(0, 255) ?? null,
        size_bytes: a.bytes.length,
        // Taken from the bytes themselves, not from the transport's claim (which was checked equal).
        sha256: sha256Hex(a.bytes),
        uploaded_at_ms: now.getTime(),
        uploaded_by_client: actor.client,
      };
      await tx.insertAttachment({ ...row, content: a.bytes });
      out.push(row);
    }
    return out;
  }

  private pendingFor(status: InfraStatus, now: Date): Pending | undefined {
    const cal = this.deps.calendar;
    switch (status) {
      case 'NOTICE_SUBMITTED': {
        const d = cal.addCalendarDays(now, TERMS.forwardCalendarDays);
        return { step: 'FORWARDING', dueDate: d.dueDate, dueAt: d.dueAt };
      }
      case 'FORWARDED':
        return { step: 'ACCESS' };
      case 'ACCESS_GRANTED':
        return { step: 'DATA' };
      case 'DATA_SUBMITTED': {
        const d = cal.addWorkingDays(now, TERMS.decisionWorkingDays);
        return { step: 'DECISION', dueDate: d.dueDate, dueAt: d.dueAt };
      }
      case 'REFUSED':
        return { step: 'RESUBMISSION' };
      case 'DEREGISTRATION_REQUESTED': {
        const d = cal.addWorkingDays(now, TERMS.deregistrationWorkingDays);
        return { step: 'DEREGISTRATION', dueDate: d.dueDate, dueAt: d.dueAt };
      }
      default:
        return undefined;
    }
  }

  private pendingColumns(p: Pending | undefined, now: Date): Pick<ElementRow, 'pending_step' | 'pending_since_ms' | 'due_date' | 'due_at_ms'> {
    return {
      pending_step: p?.step ?? null,
      pending_since_ms: p ? now.getTime() : null,
      due_date: p?.dueDate ?? null,
      due_at_ms: p?.dueAt ? p.dueAt.getTime() : null,
    };
  }

  private pendingView(row: Pick<ElementRow, 'pending_step' | 'pending_since_ms' | 'due_date' | 'due_at_ms'>, now: Date): TransitionOutput['pending'] {
    if (!row.pending_step || row.pending_since_ms === null) return undefined;
    return {
      step: row.pending_step as PendingStep,
      since: iso(row.pending_since_ms),
      dueDate: row.due_date ?? undefined,
      overdue: row.due_at_ms !== null && now.getTime() > row.due_at_ms,
    };
  }

  private transitionOutput(row: ElementRow, now: Date): TransitionOutput {
    return { elementId: row.id, status: row.status, at: now.toISOString(), pending: this.pendingView(row, now) };
  }

  private event(elementId: string, action: string, from: InfraStatus | null, to: InfraStatus, actor: InfraActor, now: Date, late?: boolean, comment?: string): EventRow {
    return {
      element_id: elementId,
      action,
      from_status: from,
      to_status: to,
      at_ms: now.getTime(),
      actor_client: actor.client,
      actor_user: actor.userId ?? null,
      late: late ?? null,
      comment: comment ?? null,
    };
  }

  private summary(row: ElementRow): ElementSummary {
    return {
      elementId: row.id,
      registryNumber: row.registry_number ?? undefined,
      status: row.status,
      elementType: row.element_type as ElementType,
      fullName: row.full_name,
      shortName: row.short_name,
      subjectMember: row.subject_member,
      subjectName: row.subject_name,
      registeredAt: row.registered_at_ms !== null ? iso(row.registered_at_ms) : undefined,
      updatedAt: iso(row.updated_at_ms),
    };
  }

  private refusalView(r: Refusal): NonNullable<DecisionOutput['refusal']> {
    return {
      ground: r.ground,
      groundText: REFUSAL_GROUND_TEXT[r.ground],
      missingItems: r.missingItems.map((item) => ({ item, title: ITEM_TEXT[item] })),
      comment: r.comment,
      decidedAt: iso(r.decidedAtMs),
    };
  }

  private attachmentMeta(a: AttachmentRow): AttachmentMeta {
    return {
      attachmentId: a.id,
      role: a.role as AttachmentMeta['role'],
      contentType: a.content_type,
      filename: a.filename ?? undefined,
      sizeBytes: a.size_bytes,
      sha256: a.sha256,
      uploadedAt: iso(a.uploaded_at_ms),
    };
  }
}

/** Cursors are opaque to callers: the last row's sequence number, base64url. */
function encodeCursor(seq: number): string {
  return Buffer.from(`s:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const m = /^s:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

