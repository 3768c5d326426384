import { AppError, type FieldError } from '../../errors/app-error.js';
import { fieldErrorOf, parseInput } from '../../i18n/field-messages.js';
import type { Text } from '../../i18n/messages.js';
import type { Logger } from '../../log/logger.js';
import type { CallContext } from '../../operations/types.js';
import type { BisClient, LegalEntity, MinjustClient, Sourced } from '../../consumers/types.js';
import { bishkekDate, endOfBishkekDay, startOfBishkekDay, toBishkekDateTime, type WorkingCalendar } from '../../calendar/working-calendar.js';
import { certificateRefusal, CERTIFICATE_REFUSAL_TEXTS, fieldMsg, type CertificateRefusal } from './holders-messages.js';
import {
  PREFILLABLE_FIELDS,
  innOnlyInput,
  listHoldersInput,
  registerHolderInput,
  reviewApplicationInput,
  submitDataArraysInput,
  submitPersonalDataListInput,
  type ApplicationStatusView,
  type DataArrays,
  type FieldSource,
  type HolderHistory,
  type HolderList,
  type HolderView,
  type InnOnlyInput,
  type ListHoldersInput,
  type OverdueReport,
  type PersonalDataList,
  type PrefillableField,
  type RegisterHolderInput,
  type RegistrationView,
  type ReviewApplicationInput,
  type SubmitDataArraysInput,
  type SubmitPersonalDataListInput,
} from './holders-schemas.js';
import type { ApplicationRecord, ChangeDecision, ChangeTx, HoldersStore, StoredHolderData } from './holders-store.js';
import { transition, type HolderEvent, type TransitionEffect } from './holders-state-machine.js';
import { formatRegistrationNumber, isPlausiblePin } from './identifiers.js';
import { diffDocuments } from './record-diff.js';
import { STATUS_LABELS } from './vocabularies.js';
import { ADDRESS_PART_NAMES } from './field-labels.js';

/** Who calls and when: the parts of the transport's CallContext the registry uses. */
export type HoldersCaller = Pick<CallContext, 'client' | 'userId' | 'now' | 'requestId'>;

export interface HoldersServiceDeps {
  store: HoldersStore;
  minjust: MinjustClient;
  bis: BisClient;
  calendar: WorkingCalendar;
  logger: Logger;
  /**
   * Clients that see the responsible person's contacts and draft applications in getHolder:
   * full client ids (instance/class/member/subsystem), or a member id (instance/class/member)
   * for all its subsystems. Everyone else gets the public view.
   */
  contactsVisibleTo?: readonly string[];
  /** The Agency's review period in working days (seed 000 §4: 10). */
  reviewWorkingDays?: number;
}

/** Seed 000 §4: "10 working days from the day the Agency receives it". */
export const REVIEW_WORKING_DAYS = 10;
const DEFAULT_PAGE = 20;

const UNAUTHENTICATED_NO_USER: Text = {
  ky: 'Колдонуучунун жеке идентификациялык номери (xrd:userId же БИС токени) талап кылынат.',
  ru: 'Требуется персональный идентификационный номер пользователя (xrd:userId или токен БИС).',
  en: "The end user's personal number (xrd:userId or the BIS token) is required.",
};
const UNAUTHENTICATED_BAD_PIN: Text = {
  ky: 'Колдонуучунун идентификатору жарактуу жеке идентификациялык номер (ПИН) эмес.',
  ru: 'Идентификатор пользователя не является действительным ПИН.',
  en: "The end user's identifier is not a valid personal number (PIN).",
};
const BIS_UNAVAILABLE: Text = {
  ky: 'БИС жеткиликсиз: уюмдун атынан иш алып баруу укугу текшерилген жок.',
  ru: 'БИС недоступна: право действовать от имени организации не проверено.',
  en: 'BIS is unavailable: the right to act for the organisation could not be checked.',
};
const MINJUST_UNAVAILABLE: Text = {
  ky: 'Юстиция министрлигинин маалымат базасы жеткиликсиз.',
  ru: 'База Министерства юстиции недоступна.',
  en: 'The Ministry of Justice database is unavailable.',
};

const normalise = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Where in a Ministry of Justice answer each prefillable stage-I field is found. */
function mojValue(e: LegalEntity, field: PrefillableField): string | undefined {
  const a = e.legalAddress ?? {};
  const pick = (): string | undefined => {
    switch (field) {
      case 'name':
        return e.name ?? e.nameOfficial;
      case 'legalAddress.region':
        return a.region;
      case 'legalAddress.city':
        return a.city ?? a.village;
      case 'legalAddress.district':
        return a.district;
      case 'legalAddress.streetHouse': {
        const line = [a.microdistrict, a.street, a.house].filter((p) => p && p.trim()).join(' ');
        if (!line) return undefined;
        return a.room && a.room.trim() ? `${line}, ${a.room}` : line;
      }
      default:
        return e[field];
    }
  };
  const v = pick()?.trim();
  return v ? v : undefined;
}

function typedValue(input: RegisterHolderParsed, field: PrefillableField): string | undefined {
  if (field.startsWith('legalAddress.')) return input.legalAddress?.[field.slice('legalAddress.'.length) as keyof NonNullable<RegisterHolderParsed['legalAddress']>];
  return input[field as Exclude<PrefillableField, `legalAddress.${string}`>];
}

type RegisterHolderParsed = ReturnType<typeof registerHolderInput.parse>;

/**
 * Stage I from the caller's input and the Ministry of Justice record: every field MoJ gives (in
 * a valid form) comes from MoJ with its source and time; a typed value must then agree with it;
 * the current address is the caller's correction or else the legal one; the rest is typed.
 */
function mergeStageOne(input: RegisterHolderParsed, moj: Sourced<LegalEntity> | undefined): { holder: StoredHolderData; sources: FieldSource[] } {
  const errors: FieldError[] = [];
  const values: Partial<Record<PrefillableField, string>> = {};
  const sources: FieldSource[] = [];
  const fromMoj = (field: string): FieldSource =>
    compact({ field, source: 'MINJUST' as const, origin: moj?.source, fetchedAt: moj?.fetchedAt, stale: moj?.stale, ageSeconds: moj?.stale ? moj.ageSeconds : undefined });
  const typed = (field: string): FieldSource => ({ field, source: 'HOLDER' });

  for (const field of Object.keys(PREFILLABLE_FIELDS) as PrefillableField[]) {
    const official = moj ? mojValue(moj.data, field) : undefined;
    const usable = official !== undefined && PREFILLABLE_FIELDS[field].safeParse(official).success;
    const given = typedValue(input, field);
    if (usable) {
      if (given !== undefined && normalise(given) !== normalise(official)) errors.push(fieldErrorOf(field, fieldMsg.conflictWithSource(field)));
      values[field] = official;
      sources.push(fromMoj(field));
    } else if (given !== undefined) {
      values[field] = given;
      sources.push(typed(field));
    } else {
      errors.push(fieldErrorOf(field, fieldMsg.missingAfterPrefill(field)));
    }
  }
  if (errors.length > 0) throw new AppError('VALIDATION_FAILED', { fields: errors });

  const v = values as Record<PrefillableField, string>;
  const legalAddress = { region: v['legalAddress.region'], city: v['legalAddress.city'], district: v['legalAddress.district'], streetHouse: v['legalAddress.streetHouse'] };
  const currentAddress = input.currentAddress ?? legalAddress;
  for (const part of ADDRESS_PART_NAMES) {
    const legalSource = sources.find((s) => s.field === `legalAddress.${part}`)!;
    sources.push(input.currentAddress ? typed(`currentAddress.${part}`) : { ...legalSource, field: `currentAddress.${part}` });
  }
  for (const part of ['fullName', 'email', 'phone']) sources.push(typed(`responsiblePerson.${part}`));
  return {
    holder: {
      name: v.name,
      legalAddress,
      currentAddress: { ...currentAddress },
      ownershipForm: v.ownershipForm,
      subordination: v.subordination,
      head: v.head,
      okpo: v.okpo,
      email: v.email,
      phone: v.phone,
      responsiblePerson: { ...input.responsiblePerson },
    },
    sources,
  };
}

/** What the version history compares: the application's content and state, not bookkeeping. */
function snapshot(a: ApplicationRecord | undefined): Record<string, unknown> {
  if (!a) return {};
  return JSON.parse(
    JSON.stringify({
      status: a.status,
      holder: a.holder,
      dataArrays: a.dataArrays,
      personalDataList: a.personalDataList,
      registrationNumber: a.registrationNumber,
      registeredAt: a.registeredAt,
      submittedAt: a.submittedAt,
      dueDate: a.dueDate,
      review: a.review,
    }),
  ) as Record<string, unknown>;
}

function dataArraysFrom(i: ReturnType<typeof submitDataArraysInput.parse>): DataArrays {
  return compact({
    arrayNames: i.arrayNames,
    processingEndConditions: i.processingEndConditions,
    recipients: i.recipients,
    crossBorderTransfer: i.crossBorderTransfer,
    crossBorderTransfers: i.crossBorderTransfers ?? [],
    notificationMethods: i.notificationMethods ?? [],
    notificationMethodsOther: i.notificationMethodsOther ?? [],
    securityMeasures: i.securityMeasures ?? [],
    securityMeasuresOther: i.securityMeasuresOther ?? [],
    processorKind: i.processorKind,
    processor: i.processor,
  });
}

function personalDataListFrom(i: ReturnType<typeof submitPersonalDataListInput.parse>): PersonalDataList {
  return {
    personalData: i.personalData ?? [],
    personalDataOther: i.personalDataOther ?? [],
    specialCategories: i.specialCategories ?? [],
    specialCategoriesOther: i.specialCategoriesOther ?? [],
    subjectCategories: i.subjectCategories ?? [],
    subjectCategoriesOther: i.subjectCategoriesOther ?? [],
    sources: i.sources,
    purposes: i.purposes,
  };
}

const iso = (d: Date | undefined): string | undefined => (d ? toBishkekDateTime(d) : undefined);

function encodeCursor(seq: number): string {
  return Buffer.from(`v1:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^v1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new AppError('VALIDATION_FAILED', { fields: [fieldErrorOf('cursor', fieldMsg.format('cursor', 'cursor'))] });
  return Number(m[1]);
}

/**
 * The registry of holders of personal data arrays (seed 000): three registration stages, the
 * Agency's review, and the public and operator views. Every write re-checks with BIS that the
 * user may act for the organisation, live; state changes go through the one state machine and
 * are versioned in the same transaction.
 */
export class HoldersService {
  private readonly reviewDays: number;

  constructor(private readonly deps: HoldersServiceDeps) {
    this.reviewDays = deps.reviewWorkingDays ?? REVIEW_WORKING_DAYS;
  }

  /** Stage I: create the application (DRAFT) or save its holder data again. */
  async registerHolder(input: RegisterHolderInput, caller: HoldersCaller): Promise<HolderView> {
    const inp = parseInput(registerHolderInput, input);
    const pin = await this.authorise(inp.inn, caller);
    const moj = await this.prefill(inp.inn, pin, caller);
    const { holder, sources } = mergeStageOne(inp, moj);
    const next = await this.apply(inp.inn, 'SAVE_HOLDER_DATA', 'registerHolder', caller, pin, (current, base) => ({
      ...(current ?? base),
      holder,
      sources,
    }));
    if (moj?.stale) this.deps.logger.warn('holders: stage I prefilled from a stale Ministry of Justice copy', { ageSeconds: moj.ageSeconds, requestId: caller.requestId });
    return this.holderView(next, caller.now, true);
  }

  /** Stage II: the data arrays. The first confirmation registers the holder: number 2-NNNNN and date. */
  async submitDataArrays(input: SubmitDataArraysInput, caller: HoldersCaller): Promise<RegistrationView> {
    const inp = parseInput(submitDataArraysInput, input);
    const pin = await this.authorise(inp.inn, caller);
    const dataArrays = dataArraysFrom(inp);
    let newlyRegistered = false;
    const next = await this.apply(inp.inn, 'SAVE_DATA_ARRAYS', 'submitDataArrays', caller, pin, async (current, _base, effect, tx) => {
      const out: ApplicationRecord = { ...current!, dataArrays };
      if (effect === 'REGISTER') {
        const seq = await tx.nextRegistrationSeq();
        Object.assign(out, { registrationSeq: seq, registrationNumber: formatRegistrationNumber(seq), registeredAt: caller.now });
        newlyRegistered = true;
      }
      return out;
    });
    if (newlyRegistered) this.deps.logger.info('holders: holder registered', { registrationNumber: next.registrationNumber, requestId: caller.requestId });
    return {
      inn: next.inn,
      status: next.status,
      statusLabel: STATUS_LABELS[next.status],
      registrationNumber: next.registrationNumber!,
      registeredAt: iso(next.registeredAt)!,
      newlyRegistered,
    };
  }

  /** Stage III: the list of personal data; submitting sends it to the Agency (UNDER_REVIEW, due in 10 working days). */
  async submitPersonalDataList(input: SubmitPersonalDataListInput, caller: HoldersCaller): Promise<ApplicationStatusView> {
    const inp = parseInput(submitPersonalDataListInput, input);
    const pin = await this.authorise(inp.inn, caller);
    const personalDataList = personalDataListFrom(inp);
    const due = this.deps.calendar.addWorkingDays(caller.now, this.reviewDays);
    const next = await this.apply(inp.inn, 'SUBMIT_FOR_REVIEW', 'submitPersonalDataList', caller, pin, (current) => ({
      ...current!,
      personalDataList,
      submittedAt: caller.now,
      dueDate: due.dueDate,
      dueAt: due.dueAt,
      // A new round of review: the previous decision stays in the version history only.
      review: undefined,
    }));
    return this.statusView(next, caller.now);
  }

  /** The Agency's decision: APPROVED, or REJECTED with the comment the holder sees. */
  async reviewApplication(input: ReviewApplicationInput, caller: HoldersCaller): Promise<ApplicationStatusView> {
    const inp = parseInput(reviewApplicationInput, input);
    const reviewerPin = requirePin(caller);
    const event: HolderEvent = inp.decision === 'APPROVED' ? 'APPROVE' : 'REJECT';
    const next = await this.apply(inp.inn, event, 'reviewApplication', caller, reviewerPin, (current) => ({
      ...current!,
      review: compact({ decision: inp.decision, comment: inp.comment, reviewedAt: caller.now, reviewerPin }),
    }));
    this.deps.logger.info('holders: application reviewed', { registrationNumber: next.registrationNumber, decision: inp.decision, requestId: caller.requestId });
    return this.statusView(next, caller.now);
  }

  async getApplicationStatus(input: InnOnlyInput, caller: HoldersCaller): Promise<ApplicationStatusView> {
    const { inn } = parseInput(innOnlyInput, input);
    return this.statusView(await this.load(inn), caller.now);
  }

  /** The full record; the responsible person's contacts and drafts only for clients allowed to see them. */
  async getHolder(input: InnOnlyInput, caller: HoldersCaller): Promise<HolderView> {
    const { inn } = parseInput(innOnlyInput, input);
    const a = await this.load(inn);
    const privileged = this.canSeeContacts(caller);
    if (a.status === 'DRAFT' && !privileged) throw new AppError('NOT_FOUND');
    return this.holderView(a, caller.now, privileged);
  }

  /** The public list (seed §2.1): INN, name, registration date, status; registered holders only, in registration order. */
  async listHolders(input: ListHoldersInput, _caller?: HoldersCaller): Promise<HolderList> {
    const q = parseInput(listHoldersInput, input);
    const limit = q.limit ?? DEFAULT_PAGE;
    const { rows, more } = await this.deps.store.list({
      nameContains: q.name,
      inn: q.inn,
      status: q.status,
      registeredFromMs: q.registeredFrom ? startOfBishkekDay(q.registeredFrom).getTime() : undefined,
      registeredToMs: q.registeredTo ? endOfBishkekDay(q.registeredTo).getTime() : undefined,
      afterSeq: q.cursor !== undefined ? decodeCursor(q.cursor) : undefined,
      limit,
    });
    return compact({
      items: rows.map((r) => ({
        inn: r.inn,
        name: r.name,
        registrationNumber: r.registrationNumber,
        registeredAt: toBishkekDateTime(r.registeredAt),
        status: r.status,
        statusLabel: STATUS_LABELS[r.status],
      })),
      nextCursor: more && rows.length > 0 ? encodeCursor(rows[rows.length - 1].registrationSeq) : undefined,
    });
  }

  /** Operator report: applications under review past their due date, most overdue first. */
  async listOverdueApplications(_input: Record<string, never>, caller: HoldersCaller): Promise<OverdueReport> {
    const today = bishkekDate(caller.now);
    const rows = await this.deps.store.overdue(caller.now);
    return {
      generatedAt: toBishkekDateTime(caller.now),
      items: rows.map((r) =>
        compact({
          inn: r.inn,
          name: r.name,
          registrationNumber: r.registrationNumber,
          submittedAt: toBishkekDateTime(r.submittedAt),
          dueDate: r.dueDate,
          workingDaysOverdue: this.deps.calendar.workingDaysBetween(r.dueDate, today),
        }),
      ),
    };
  }

  /** Every change of an application: who, when, which operation, what changed. */
  async getHolderHistory(input: InnOnlyInput, _caller?: HoldersCaller): Promise<HolderHistory> {
    const { inn } = parseInput(innOnlyInput, input);
    const versions = await this.deps.store.versions(inn);
    if (versions.length === 0) throw new AppError('NOT_FOUND');
    return {
      inn,
      versions: versions.map((v) =>
        compact({
          version: v.version,
          at: toBishkekDateTime(v.at),
          operation: v.operation,
          client: v.client,
          actorPin: v.actorPin,
          statusBefore: v.statusBefore,
          statusAfter: v.statusAfter,
          changes: v.changes.map((c) => compact({ path: c.path, before: c.before === undefined ? undefined : JSON.stringify(c.before), after: c.after === undefined ? undefined : JSON.stringify(c.after) })),
        }),
      ),
    };
  }

  canSeeContacts(caller: Pick<CallContext, 'client'>): boolean {
    return (this.deps.contactsVisibleTo ?? []).some((id) => caller.client === id || caller.client.startsWith(`${id}/`));
  }

  // -------------------------------------------------------------------------------------------

  /**
   * One state change: the transition is checked on the locked current record, `build` makes the
   * new record, and the store writes it with a version entry holding the diff, atomically.
   */
  private apply(
    inn: string,
    event: HolderEvent,
    operation: string,
    caller: HoldersCaller,
    actorPin: string,
    build: (current: ApplicationRecord | undefined, base: ApplicationRecord, effect: TransitionEffect, tx: ChangeTx) => ApplicationRecord | Promise<ApplicationRecord>,
  ): Promise<ApplicationRecord> {
    const now = caller.now;
    return this.deps.store.change(inn, async (current, tx): Promise<ChangeDecision<ApplicationRecord>> => {
      const t = transition(current?.status, event);
      const base: ApplicationRecord = current ?? {
        inn,
        status: t.to,
        holder: undefined as unknown as StoredHolderData, // set by the stage-I build, the only event allowed on a new application
        sources: [],
        version: 0,
        createdAt: now,
        updatedAt: now,
      };
      const built = await build(current, base, t.effect, tx);
      const next: ApplicationRecord = { ...built, inn, status: t.to, version: base.version + 1, updatedAt: now };
      return {
        next,
        audit: { at: now, operation, client: caller.client, actorPin, changes: diffDocuments(snapshot(current), snapshot(next)) },
        result: next,
      };
    });
  }

  private async load(inn: string): Promise<ApplicationRecord> {
    const a = await this.deps.store.get(inn);
    if (!a) throw new AppError('NOT_FOUND');
    return a;
  }

  /** BIS, live and never cached: the user must hold a valid certificate of this organisation. */
  private async authorise(inn: string, caller: HoldersCaller): Promise<string> {
    const pin = requirePin(caller);
    const refuse = (reason: CertificateRefusal): AppError =>
      new AppError('NOT_AUTHORIZED_FOR_ORGANISATION', { detail: CERTIFICATE_REFUSAL_TEXTS[reason], fields: [fieldErrorOf('inn', certificateRefusal(reason))] });
    let decision: Awaited<ReturnType<BisClient['mayActFor']>>;
    try {
      decision = await upstream(BIS_UNAVAILABLE, () => this.deps.bis.mayActFor(pin, inn, { userId: pin, requestId: caller.requestId }));
    } catch (e) {
      // BIS not knowing the person means no certificate at all.
      if (e instanceof AppError && e.code === 'NOT_FOUND') throw refuse('NO_CERTIFICATE');
      throw e;
    }
    if (!decision.allowed) throw refuse(decision.reason ?? 'NO_CERTIFICATE');
    return pin;
  }

  /** MoJ data for stage I; an INN MoJ does not know is filled by hand. */
  private async prefill(inn: string, pin: string, caller: HoldersCaller): Promise<Sourced<LegalEntity> | undefined> {
    try {
      return await upstream(MINJUST_UNAVAILABLE, () => this.deps.minjust.getSubjectByTin(inn, { userId: pin, requestId: caller.requestId }));
    } catch (e) {
      if (e instanceof AppError && e.code === 'NOT_FOUND') return undefined;
      throw e;
    }
  }

  private statusView(a: ApplicationRecord, now: Date): ApplicationStatusView {
    return compact({
      inn: a.inn,
      status: a.status,
      statusLabel: STATUS_LABELS[a.status],
      registrationNumber: a.registrationNumber,
      registeredAt: iso(a.registeredAt),
      submittedAt: iso(a.submittedAt),
      dueDate: a.dueDate,
      overdue: a.status === 'UNDER_REVIEW' && a.dueAt !== undefined && now.getTime() > a.dueAt.getTime(),
      reviewComment: a.review?.comment,
      reviewedAt: iso(a.review?.reviewedAt),
    });
  }

  private holderView(a: ApplicationRecord, now: Date, withContacts: boolean): HolderView {
    const { responsiblePerson, ...publicHolder } = a.holder;
    return compact({
      ...this.statusView(a, now),
      holder: withContacts ? { ...publicHolder, responsiblePerson } : publicHolder,
      sources: withContacts ? a.sources : a.sources.filter((s) => !s.field.startsWith('responsiblePerson.')),
      dataArrays: a.dataArrays,
      personalDataList: a.personalDataList,
      contactsHidden: !withContacts,
      version: a.version,
      updatedAt: toBishkekDateTime(a.updatedAt),
    });
  }
}

/** The acting person's PIN from the call (xrd:userId, or the BIS token's PIN on REST). */
function requirePin(caller: HoldersCaller): string {
  if (!caller.userId) throw new AppError('UNAUTHENTICATED', { detail: UNAUTHENTICATED_NO_USER });
  if (!isPlausiblePin(caller.userId, caller.now)) throw new AppError('UNAUTHENTICATED', { detail: UNAUTHENTICATED_BAD_PIN });
  return caller.userId;
}

/** An upstream call: its AppErrors pass; anything else means it could not answer, and we fail closed. */
async function upstream<T>(what: Text, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('UPSTREAM_UNAVAILABLE', { detail: what, cause: e });
  }
}
