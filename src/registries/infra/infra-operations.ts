import type { z } from 'zod';
import { defineOperation, type CallContext, type OperationDef, type RestBinding, type ServiceGroup } from '../../operations/types.js';
import { AppError } from '../../errors/app-error.js';
import type { Text } from '../../i18n/messages.js';
import type { InfraActor, InfraService } from './infra-service.js';
import { INFRA_SERVICE_CODES, type InfraOperation } from './infra-roles.js';
import {
  decisionInputSchema,
  decisionOutputSchema,
  deregisterInputSchema,
  deregistrationNoticeInputSchema,
  deregistrationNoticeOutputSchema,
  emptyInputSchema,
  elementSubmissionSchema,
  elementViewSchema,
  forwardInputSchema,
  getElementInputSchema,
  grantInputSchema,
  grantOutputSchema,
  listElementsInputSchema,
  listElementsOutputSchema,
  noticeInputSchema,
  overdueReportSchema,
  submissionOutputSchema,
  transitionOutputSchema,
} from './infra-schemas.js';

export const INFRA_SUBSYSTEM = 'egov-infra-registry';
export const INFRA_NAMESPACE = 'urn:kg:egov:infra-registry:v1';

export const INFRA_GROUP_TITLE: Text = {
  ky: 'Электрондук башкаруунун мамлекеттик инфратүзүмүнүн реестри',
  ru: 'Реестр государственной инфраструктуры электронного управления',
  en: 'Registry of the state e-governance infrastructure',
};

function actorOf(ctx: CallContext): InfraActor {
  return { client: ctx.client, userId: ctx.userId, attachments: ctx.attachments, now: ctx.now, requestId: ctx.requestId };
}

/** Operation titles (WSDL xrd:title, OpenAPI summary) in three languages. */
const TITLES: Record<string, Text> = {
  listOverdueElements: {
    ky: 'Мөөнөтү өткөн кадамдар (жиберүү, чечим, реестрден чыгаруу)',
    ru: 'Просроченные шаги (направление, решение, исключение из Реестра)',
    en: 'Steps past due (forwarding, decision, deregistration)',
  },
  submitRegistrationNotice: {
    ky: 'Инфратүзүмдүн элементин каттоо жөнүндө билдирүү берүү',
    ru: 'Подать уведомление о регистрации элемента инфраструктуры',
    en: 'Submit a registration notice for an infrastructure element',
  },
  forwardNotice: {
    ky: 'Билдирүүнү Реестрдин операторуна жиберүү',
    ru: 'Направить уведомление оператору Реестра',
    en: 'Forward the notice to the registry operator',
  },
  grantInputAccess: {
    ky: 'Маалыматтарды киргизүү укугун берүү',
    ru: 'Предоставить право ввода сведений',
    en: 'Grant input access',
  },
  submitElementData: {
    ky: 'Инфратүзүмдүн элементи жөнүндө маалыматтарды киргизүү',
    ru: 'Внести сведения об элементе инфраструктуры',
    en: 'Submit the infrastructure element’s data',
  },
  decideRegistration: {
    ky: 'Каттоо же каттоодон баш тартуу',
    ru: 'Зарегистрировать или отказать в регистрации',
    en: 'Register or refuse registration',
  },
  updateElement: {
    ky: 'Инфратүзүмдүн элементи жөнүндө маалыматтарды жаңыртуу',
    ru: 'Обновить сведения об элементе инфраструктуры',
    en: 'Update the infrastructure element’s data',
  },
  submitDeregistrationNotice: {
    ky: 'Реестрден чыгаруу жөнүндө билдирүү берүү',
    ru: 'Подать уведомление об исключении из Реестра',
    en: 'Submit a deregistration notice',
  },
  deregisterElement: {
    ky: 'Инфратүзүмдүн элементин Реестрден чыгаруу',
    ru: 'Исключить элемент инфраструктуры из Реестра',
    en: 'Deregister the infrastructure element',
  },
  getElement: {
    ky: 'Инфратүзүмдүн элементин тарыхы менен алуу',
    ru: 'Получить элемент инфраструктуры с историей',
    en: 'Get an infrastructure element with its history',
  },
  listElements: {
    ky: 'Инфратүзүмдүн элементтеринин тизмеси',
    ru: 'Список элементов инфраструктуры',
    en: 'List infrastructure elements',
  },
};

/** One operation of this group, its /api/v1 binding written "METHOD /path"; GETs are reads, the rest writes. */
function op<I, O>(
  serviceCode: string,
  route: `${RestBinding['method']} /${string}`,
  input: z.ZodType<I>,
  output: z.ZodType<O>,
  run: (input: I, actor: InfraActor) => Promise<O>,
  attachmentFields?: string[],
): OperationDef {
  const [method, path] = route.split(' ') as [RestBinding['method'], string];
  return defineOperation({
    subsystem: INFRA_SUBSYSTEM,
    version: 'v1',
    namespace: INFRA_NAMESPACE,
    serviceCode,
    title: TITLES[serviceCode],
    kind: method === 'GET' ? 'read' : 'write',
    input,
    output,
    attachmentFields,
    rest: { method, path },
    handler: (i, ctx) => run(i, actorOf(ctx)),
  });
}

/**
 * The ten operations of CONTRACT §5 for `egov-infra-registry`, defined once for SOAP/X-Road,
 * X-Road REST and /api/v1. Handlers only translate the call context; the rules are the service's.
 */
export function infraOperations(service: InfraService): OperationDef[] {
  const files = ['technicalDocumentation', 'commissioningActFile'];
  return withRoleCheck(service, [
    op(
      'submitRegistrationNotice',
      'POST /elements/notices',
      noticeInputSchema,
      transitionOutputSchema,
      (i, a) => service.submitRegistrationNotice(i, a),
    ),
    op(
      'forwardNotice',
      'POST /elements/:elementId/forward',
      forwardInputSchema,
      transitionOutputSchema,
      (i, a) => service.forwardNotice(i, a),
    ),
    op(
      'grantInputAccess',
      'POST /elements/:elementId/access',
      grantInputSchema,
      grantOutputSchema,
      (i, a) => service.grantInputAccess(i, a),
    ),
    op(
      'submitElementData',
      'POST /elements/:elementId/data',
      elementSubmissionSchema,
      submissionOutputSchema,
      (i, a) => service.submitElementData(i, a),
      files,
    ),
    op(
      'decideRegistration',
      'POST /elements/:elementId/decision',
      decisionInputSchema,
      decisionOutputSchema,
      (i, a) => service.decideRegistration(i, a),
    ),
    op(
      'updateElement',
      'POST /elements/:elementId/versions',
      elementSubmissionSchema,
      submissionOutputSchema,
      (i, a) => service.updateElement(i, a),
      files,
    ),
    op(
      'submitDeregistrationNotice',
      'POST /elements/:elementId/deregistration-notice',
      deregistrationNoticeInputSchema,
      deregistrationNoticeOutputSchema,
      (i, a) => service.submitDeregistrationNotice(i, a),
      ['decisionCopy'],
    ),
    op(
      'deregisterElement',
      'POST /elements/:elementId/deregistration',
      deregisterInputSchema,
      transitionOutputSchema,
      (i, a) => service.deregisterElement(i, a),
    ),
    op('getElement', 'GET /elements/:elementId', getElementInputSchema, elementViewSchema, (i, a) => service.getElement(i, a)),
    op('listElements', 'GET /elements', listElementsInputSchema, listElementsOutputSchema, (i, a) => service.listElements(i, a)),
  ]);
}

/** Each operation refuses a caller whose role may never call it before its input is read. */
function withRoleCheck(service: InfraService, ops: OperationDef[]): OperationDef[] {
  const operationOf = (serviceCode: string): InfraOperation => ((INFRA_SERVICE_CODES as readonly string[]).includes(serviceCode) ? (serviceCode as InfraOperation) : 'overdueReport');
  return ops.map((o) => ({ ...o, authorize: (client: string) => service.authorizeCaller(operationOf(o.serviceCode), client) }));
}

/**
 * Served beside the group, not in its WSDL (like the holders registry's operator reads): the
 * overdue report for the operator and the authorized body; the service refuses anyone else.
 */
export function infraOperatorOperations(service: InfraService): OperationDef[] {
  return withRoleCheck(service, [op('listOverdueElements', 'GET /elements-reports/overdue', emptyInputSchema, overdueReportSchema, (_i, a) => service.overdueReport(a))]);
}

export function infraServiceGroup(service: InfraService): ServiceGroup {
  return { subsystem: INFRA_SUBSYSTEM, namespace: INFRA_NAMESPACE, title: INFRA_GROUP_TITLE, operations: infraOperations(service) };
}

/**
 * The group for service descriptions (WSDL, OpenAPI) only: the definitions without a service
 * behind them; a handler called by mistake refuses with INTERNAL.
 */
export function describedInfraGroup(): ServiceGroup {
  const none = new Proxy({} as InfraService, {
    get: () => () => Promise.reject(new AppError('INTERNAL', { cause: new Error('described infra group has no service') })),
  });
  return infraServiceGroup(none);
}
