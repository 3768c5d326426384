import { AppError } from '../../errors/app-error.js';
import type { Text } from '../../i18n/messages.js';

/**
 * Who plays which part in the registry (Rules §8–9, §15–19, §29): the authorized body and the
 * operator are named client subsystems from configuration; any other GOV client is an accounting
 * subject (§5) acting for its own organisation; everyone else has no part.
 */
export interface InfraRoles {
  /** Client subsystems (instance/class/code/subsystem) acting as the authorized body for e-governance. */
  authorizedBodies: readonly string[];
  /** Client subsystems acting as the registry operator. */
  operators: readonly string[];
}

export const INFRA_ROLES = ['operator', 'authorizedBody', 'subject', 'other'] as const;
export type InfraRole = (typeof INFRA_ROLES)[number];

/** The ten operations of CONTRACT §5 (serviceCodes of egov-infra-registry). */
export const INFRA_SERVICE_CODES = [
  'submitRegistrationNotice',
  'forwardNotice',
  'grantInputAccess',
  'submitElementData',
  'decideRegistration',
  'updateElement',
  'submitDeregistrationNotice',
  'deregisterElement',
  'getElement',
  'listElements',
] as const;

/** The operations and the service's extra entry points that need the same decision. */
export const INFRA_OPERATIONS = [...INFRA_SERVICE_CODES, 'getAttachment', 'overdueReport'] as const;
export type InfraOperation = (typeof INFRA_OPERATIONS)[number];

/** What a role may reach with an operation: every element, only its own organisation's, or nothing. */
export type InfraScope = 'all' | 'own' | 'none';

const N: InfraScope = 'none';

/**
 * The permission matrix. `own` means the caller's member (instance/class/code) is the element's
 * accounting subject; for submitRegistrationNotice it covers new notices and resubmissions of its own.
 */
const MATRIX: Record<InfraOperation, Record<InfraRole, InfraScope>> = {
  submitRegistrationNotice: { operator: N, authorizedBody: N, subject: 'own', other: N },
  forwardNotice: { operator: N, authorizedBody: 'all', subject: N, other: N },
  grantInputAccess: { operator: 'all', authorizedBody: N, subject: N, other: N },
  submitElementData: { operator: N, authorizedBody: N, subject: 'own', other: N },
  decideRegistration: { operator: 'all', authorizedBody: N, subject: N, other: N },
  updateElement: { operator: N, authorizedBody: N, subject: 'own', other: N },
  submitDeregistrationNotice: { operator: N, authorizedBody: N, subject: 'own', other: N },
  deregisterElement: { operator: 'all', authorizedBody: N, subject: N, other: N },
  // §33: registry data is provided by the operator in agreement with the authorized body.
  getElement: { operator: 'all', authorizedBody: 'all', subject: 'own', other: N },
  listElements: { operator: 'all', authorizedBody: 'all', subject: 'own', other: N },
  getAttachment: { operator: 'all', authorizedBody: 'all', subject: 'own', other: N },
  overdueReport: { operator: 'all', authorizedBody: 'all', subject: N, other: N },
};

const ROLE_TEXT: Record<InfraRole, Text> = {
  operator: { ky: 'Реестрдин оператору', ru: 'оператор Реестра', en: 'the registry operator' },
  authorizedBody: { ky: 'ыйгарым укуктуу орган', ru: 'уполномоченный орган', en: 'the authorized body' },
  subject: { ky: 'элементтин эсепке алуу субъектиси', ru: 'субъект учета элемента', en: 'the element’s accounting subject' },
  other: { ky: 'башка катышуучу', ru: 'иной участник', en: 'another participant' },
};

interface ParsedClient {
  xRoadInstance: string;
  memberClass: string;
  memberCode: string;
}

function parseClient(client: string): ParsedClient {
  const [xRoadInstance = '', memberClass = '', memberCode = ''] = client.split('/');
  return { xRoadInstance, memberClass, memberCode };
}

/** The organisation behind a client subsystem: instance/class/code. Accounting subjects are organisations. */
export function subjectMemberOf(client: string): string {
  const p = parseClient(client);
  return `${p.xRoadInstance}/${p.memberClass}/${p.memberCode}`;
}

/** The role a client subsystem plays; configuration names the operator and authorized body, GOV members are subjects. */
export function infraRoleOf(client: string, roles: InfraRoles): InfraRole {
  if (roles.operators.includes(client)) return 'operator';
  if (roles.authorizedBodies.includes(client)) return 'authorizedBody';
  // §5: accounting subjects are state and local self-government bodies and their organisations.
  return parseClient(client).memberClass === 'GOV' ? 'subject' : 'other';
}

export function infraScope(operation: InfraOperation, role: InfraRole): InfraScope {
  return MATRIX[operation][role];
}

export interface InfraAccessDecision {
  allowed: boolean;
  role: InfraRole;
  scope: InfraScope;
}

/**
 * The access decision for one call: the transport-level ACL matrix and the service use the same
 * function. Without `element` it answers "may this role call the operation at all"; with it,
 * `own` scopes also require the caller's organisation to be the element's subject.
 */
export function decideInfraAccess(
  operation: InfraOperation,
  client: string,
  roles: InfraRoles,
  element?: { subjectMember: string },
): InfraAccessDecision {
  const role = infraRoleOf(client, roles);
  const scope = infraScope(operation, role);
  const allowed = scope === 'all' || (scope === 'own' && (!element || element.subjectMember === subjectMemberOf(client)));
  return { allowed, role, scope };
}

/** Throws ACCESS_DENIED naming who may call the operation. */
export function assertInfraAccess(
  operation: InfraOperation,
  client: string,
  roles: InfraRoles,
  element?: { subjectMember: string },
): InfraAccessDecision {
  const decision = decideInfraAccess(operation, client, roles, element);
  if (!decision.allowed) {
    const who = INFRA_ROLES.filter((r) => MATRIX[operation][r] !== 'none').map((r) => ROLE_TEXT[r]);
    const list = (lang: keyof Text) => (who.length ? who.map((t) => t[lang]).join(', ') : '—');
    throw new AppError('ACCESS_DENIED', {
      detail: {
        ky: `Бул аракетти аткара алат: ${list('ky')}.`,
        ru: `Это действие может выполнить: ${list('ru')}.`,
        en: `This may be done by: ${list('en')}.`,
      },
    });
  }
  return decision;
}

/**
 * Transport ACL entries (config `acl` shape) that let each role reach exactly the operations the
 * matrix gives it: the configured operator and authorized-body subsystems by name, subjects as any
 * client (`*`), since every GOV client may be one; the service then refuses non-GOV clients and
 * other organisations' elements.
 */
export function infraAclEntries(roles: InfraRoles, subsystem = 'egov-infra-registry'): Record<string, Record<string, string[]>> {
  const opsOf = (role: InfraRole) => INFRA_SERVICE_CODES.filter((op) => MATRIX[op][role] !== 'none');
  const acl: Record<string, Record<string, string[]>> = { '*': { [subsystem]: opsOf('subject') } };
  for (const c of roles.authorizedBodies) acl[c] = { [subsystem]: opsOf('authorizedBody') };
  for (const c of roles.operators) acl[c] = { [subsystem]: opsOf('operator') };
  return acl;
}
