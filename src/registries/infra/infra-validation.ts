import type { FieldError } from '../../errors/app-error.js';
import { fieldError } from './infra-reasons.js';
import type {
  DecisionInput,
  DeregisterInput,
  DeregistrationNoticeInput,
  ElementData,
  ForwardInput,
  GrantInput,
  ListElementsInput,
  NoticeInput,
} from './infra-schemas.js';
import { ITEM_NUMBERS, type ItemNumber } from './infra-vocabulary.js';

/**
 * Domain checks of the infrastructure registry's inputs. Each returns every problem it finds
 * (never only the first), as field errors with stable reasons and ky/ru/en messages.
 * Absent or blank §20 data is not an error here: it makes the item incomplete (see `missingItems`).
 */

export const LIMITS = {
  name: 500,
  longText: 4000,
  email: 254,
  listItems: 200,
  listItem: 500,
  records: 50,
  maxUsers: 1_000_000_000,
  pageSize: 100,
} as const;

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const PHONE = /^\+?[0-9][0-9 ()-]{4,19}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isBlank(v: string | undefined): boolean {
  return v === undefined || v.trim() === '';
}

export function isValidDate(v: string): boolean {
  const m = DATE.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v;
}

export function isValidEmail(v: string): boolean {
  return v.length <= LIMITS.email && EMAIL.test(v);
}

/** PIN: 1 or 2, birth date DDMMYYYY, five digits (DOMAIN.md, Identifiers). */
export function isValidPin(v: string, today: string): boolean {
  const m = /^[12](\d{2})(\d{2})(\d{4})\d{5}$/.exec(v);
  if (!m) return false;
  const iso = `${m[3]}-${m[2]}-${m[1]}`;
  return isValidDate(iso) && iso >= '1900-01-01' && iso <= today;
}

class Checker {
  readonly errors: FieldError[] = [];

  required(field: string, v: string | undefined, max: number): void {
    if (isBlank(v)) this.errors.push(fieldError(field, 'infra.required'));
    else this.length(field, v, max);
  }

  length(field: string, v: string | undefined, max: number): void {
    if (v !== undefined && v.length > max) this.errors.push(fieldError(field, 'infra.tooLong', { max }));
  }

  email(field: string, v: string | undefined): void {
    if (!isBlank(v) && !isValidEmail(v as string)) this.errors.push(fieldError(field, 'infra.email'));
  }

  requiredEmail(field: string, v: string | undefined): void {
    if (isBlank(v)) this.errors.push(fieldError(field, 'infra.required'));
    else this.email(field, v);
  }

  phone(field: string, v: string | undefined): void {
    if (!isBlank(v) && !PHONE.test(v as string)) this.errors.push(fieldError(field, 'infra.phone'));
  }

  /** A past-or-today date when given. */
  pastDate(field: string, v: string | undefined, today: string): void {
    if (isBlank(v)) return;
    if (!isValidDate(v as string)) this.errors.push(fieldError(field, 'infra.date'));
    else if ((v as string) > today) this.errors.push(fieldError(field, 'infra.dateInFuture'));
  }

  list(field: string, items: readonly string[] | undefined, maxItems: number = LIMITS.listItems): void {
    if (!items) return;
    if (items.length > maxItems) this.errors.push(fieldError(field, 'infra.tooManyItems', { max: maxItems }));
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const f = `${field}[${i}]`;
      if (isBlank(item)) this.errors.push(fieldError(f, 'infra.blankItem'));
      else if (item.length > LIMITS.listItem) this.errors.push(fieldError(f, 'infra.tooLong', { max: LIMITS.listItem }));
      else if (seen.has(item.trim().toLowerCase())) this.errors.push(fieldError(f, 'infra.duplicateItem'));
      seen.add(item.trim().toLowerCase());
    });
  }

  records(field: string, n: number | undefined): void {
    if (n !== undefined && n > LIMITS.records) this.errors.push(fieldError(field, 'infra.tooManyItems', { max: LIMITS.records }));
  }
}

export function validateNotice(input: NoticeInput): FieldError[] {
  const c = new Checker();
  c.length('elementId', input.elementId, LIMITS.name);
  c.required('subject.name', input.subject.name, LIMITS.name);
  c.required('subject.address', input.subject.address, LIMITS.name);
  c.required('element.fullName', input.element.fullName, LIMITS.name);
  c.required('element.shortName', input.element.shortName, LIMITS.name);
  c.required('employee.fullName', input.employee.fullName, LIMITS.name);
  c.required('employee.position', input.employee.position, LIMITS.name);
  c.requiredEmail('employee.email', input.employee.email);
  return c.errors;
}

/** Format checks of the §20 data; `today` is the Bishkek date of the request. */
export function validateElementData(data: ElementData, today: string, prefix = 'data'): FieldError[] {
  const c = new Checker();
  const f = (name: string) => `${prefix}.${name}`;
  c.length(f('fullName'), data.fullName, LIMITS.name);
  c.length(f('shortName'), data.shortName, LIMITS.name);
  if (data.ownerIsOperator === true && data.operator && Object.values(data.operator).some((v) => !isBlank(v))) {
    c.errors.push(fieldError(f('operator'), 'infra.operatorNotExpected'));
  }
  c.length(f('operator.name'), data.operator?.name, LIMITS.name);
  c.length(f('operator.address'), data.operator?.address, LIMITS.name);
  c.length(f('operator.contact'), data.operator?.contact, LIMITS.name);
  c.length(f('purpose'), data.purpose, LIMITS.longText);
  c.length(f('direction'), data.direction, LIMITS.longText);
  c.list(f('mainFunctions'), data.mainFunctions);
  c.length(f('areaOfUse'), data.areaOfUse, LIMITS.longText);
  c.records(f('legalActs'), data.legalActs?.length);
  data.legalActs?.forEach((act, i) => {
    const a = (name: string) => f(`legalActs[${i}].${name}`);
    c.length(a('kind'), act.kind, LIMITS.name);
    c.length(a('title'), act.title, LIMITS.longText);
    c.length(a('number'), act.number, LIMITS.name);
    c.length(a('issuer'), act.issuer, LIMITS.name);
    c.pastDate(a('date'), act.date, today);
  });
  c.length(f('responsibleUnit.unitName'), data.responsibleUnit?.unitName, LIMITS.name);
  c.records(f('responsibleUnit.officials'), data.responsibleUnit?.officials?.length);
  data.responsibleUnit?.officials?.forEach((o, i) => {
    const a = (name: string) => f(`responsibleUnit.officials[${i}].${name}`);
    c.length(a('fullName'), o.fullName, LIMITS.name);
    c.length(a('position'), o.position, LIMITS.name);
    c.email(a('email'), o.email);
    c.phone(a('phone'), o.phone);
  });
  c.length(f('architecture'), data.architecture, LIMITS.longText);
  c.list(f('software'), data.software);
  c.list(f('informationResources'), data.informationResources);
  c.list(f('interactingSystems'), data.interactingSystems);
  c.list(f('informationServices'), data.informationServices);
  c.length(f('location.address'), data.location?.address, LIMITS.name);
  c.length(f('location.maintainer'), data.location?.maintainer, LIMITS.name);
  c.length(f('developer.name'), data.developer?.name, LIMITS.name);
  c.length(f('developer.contact'), data.developer?.contact, LIMITS.name);
  c.length(f('developer.contractRequisites'), data.developer?.contractRequisites, LIMITS.name);
  const users = data.numberOfUsers;
  if (users !== undefined) {
    if (!Number.isInteger(users) || users < 0) c.errors.push(fieldError(f('numberOfUsers'), 'infra.nonNegativeInteger'));
    else if (users > LIMITS.maxUsers) c.errors.push(fieldError(f('numberOfUsers'), 'infra.tooLarge', { max: LIMITS.maxUsers }));
  }
  c.length(f('fundingSource.details'), data.fundingSource?.details, LIMITS.longText);
  c.length(f('commissioningAct.number'), data.commissioningAct?.number, LIMITS.name);
  c.pastDate(f('commissioningAct.date'), data.commissioningAct?.date, today);
  return c.errors;
}

/** What the submission carried as files, for items 12 and 17. */
export interface SubmittedFiles {
  technicalDocumentation: number;
  commissioningAct: boolean;
}

const filled = (v: string | undefined) => !isBlank(v);
const filledList = (v: readonly string[] | undefined) => !!v && v.length > 0 && v.every(filled);

/**
 * The §20 items that are missing or not fully given: the operator's completeness check (§22),
 * and the list an INCOMPLETE_DATA refusal names (§23).
 */
export function missingItems(data: ElementData, files: SubmittedFiles): ItemNumber[] {
  const complete: Record<ItemNumber, boolean> = {
    1: filled(data.fullName) && filled(data.shortName),
    2: data.elementType !== undefined,
    3: data.ownerIsOperator === true || (data.ownerIsOperator === false && filled(data.operator?.name)),
    4: filled(data.purpose) && filled(data.direction) && filledList(data.mainFunctions) && filled(data.areaOfUse),
    5: !!data.legalActs?.length && data.legalActs.every((a) => filled(a.title) && filled(a.number) && filled(a.date) && filled(a.issuer)),
    6:
      filled(data.responsibleUnit?.unitName) &&
      !!data.responsibleUnit?.officials?.length &&
      data.responsibleUnit.officials.every((o) => filled(o.fullName) && filled(o.position)),
    7: filled(data.architecture),
    8: filledList(data.software),
    9: filledList(data.informationResources),
    10: filledList(data.interactingSystems),
    11: filledList(data.informationServices),
    12: files.technicalDocumentation > 0,
    13: filled(data.location?.address) && filled(data.location?.maintainer),
    14: filled(data.developer?.name),
    15: data.numberOfUsers !== undefined,
    16: data.fundingSource?.kind !== undefined && (data.fundingSource.kind !== 'OTHER' || filled(data.fundingSource.details)),
    17: filled(data.commissioningAct?.number) && filled(data.commissioningAct?.date) && files.commissioningAct,
  };
  return ITEM_NUMBERS.filter((n) => !complete[n]);
}

export function validateForward(input: ForwardInput): FieldError[] {
  const c = new Checker();
  c.length('comment', input.comment, LIMITS.longText);
  return c.errors;
}

export function validateGrant(input: GrantInput, today: string): FieldError[] {
  const c = new Checker();
  if (input.employeePin !== undefined && !isValidPin(input.employeePin, today)) c.errors.push(fieldError('employeePin', 'infra.pin'));
  return c.errors;
}

/** The shape of a decision; whether the data is complete enough for it is checked against the stored data. */
export function validateDecision(input: DecisionInput): FieldError[] {
  const c = new Checker();
  if (input.decision === 'REFUSED' && input.refusalGround === undefined) c.errors.push(fieldError('refusalGround', 'infra.refusalGroundRequired'));
  if (input.decision === 'REGISTERED' && input.refusalGround !== undefined) c.errors.push(fieldError('refusalGround', 'infra.refusalGroundNotExpected'));
  c.length('comment', input.comment, LIMITS.longText);
  return c.errors;
}

export function validateDeregistrationNotice(input: DeregistrationNoticeInput, today: string): FieldError[] {
  const c = new Checker();
  if (isBlank(input.decisionDate)) c.errors.push(fieldError('decisionDate', 'infra.required'));
  else c.pastDate('decisionDate', input.decisionDate, today);
  c.length('decisionNumber', input.decisionNumber, LIMITS.name);
  c.length('reason', input.reason, LIMITS.longText);
  if (isBlank(input.decisionCopy)) c.errors.push(fieldError('decisionCopy', 'infra.required'));
  return c.errors;
}

export function validateDeregister(input: DeregisterInput, today: string): FieldError[] {
  const c = new Checker();
  c.required('agreementReference', input.agreementReference, LIMITS.name);
  c.pastDate('agreementDate', input.agreementDate, today);
  c.length('comment', input.comment, LIMITS.longText);
  return c.errors;
}

export function validateList(input: ListElementsInput): FieldError[] {
  const c = new Checker();
  const limit = input.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.pageSize)) {
    c.errors.push(fieldError('limit', 'infra.limit', { max: LIMITS.pageSize }));
  }
  c.length('text', input.text, LIMITS.name);
  c.length('subject', input.subject, LIMITS.name);
  return c.errors;
}
