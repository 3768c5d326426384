import { defineOperation, type CallContext, type OperationDef, type ServiceGroup } from '../../operations/types.js';
import type { Text } from '../../i18n/messages.js';
import type { InfraActor, InfraService } from './infra-service.js';
import {
  decisionInputSchema,
  decisionOutputSchema,
  deregisterInputSchema,
  deregistrationNoticeInputSchema,
  deregistrationNoticeOutputSchema,
  elementSubmissionSchema,
  elementViewSchema,
  forwardInputSchema,
  getElementInputSchema,
  grantInputSchema,
  grantOutputSchema,
  listElementsInputSchema,
  listElementsOutputSchema,
  noticeInputSchema,
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

const common = { subsystem: INFRA_SUBSYSTEM, version: 'v1', namespace: INFRA_NAMESPACE } as const;

/**
 * The ten operations of CONTRACT §5 for `egov-infra-registry`, defined once for SOAP/X-Road,
 * X-Road REST and /api/v1. Handlers only translate the call context; the rules are the service's.
 */
export function infraOperations(service: InfraService): OperationDef[] {
  return [
    defineOperation({
      ...common,
      serviceCode: 'submitRegistrationNotice',
      title: {
        ky: 'Инфратүзүмдүн элементин каттоо жөнүндө билдирүү берүү',
        ru: 'Подать уведомление о регистрации элемента инфраструктуры',
        en: 'Submit a registration notice for an infrastructure element',
      },
      kind: 'write',
      input: noticeInputSchema,
      output: transitionOutputSchema,
      rest: { method: 'POST', path: '/elements/notices' },
      handler: (input, ctx) => service.submitRegistrationNotice(input, actorOf(ctx)),
    }),
    defineOperation({
      ...common,
      serviceCode: 'forwardNotice',
      title: { ky: 'Билдирүүнү Реестрдин операторуна жиберүү', ru: 'Направить уведомление оператору Реестра', en: 'Forward the notice to the registry operator' },
      kind: 'write',
      input: forwardInputSchema,
      output: transitionOutputSchema,
      rest: { method: 'POST', path: '/elements/:elementId/forward' },
      handler: (input, ctx) => service.forwardNotice(input, actorOf(ctx)),
    }),
    defineOperation({
      ...common,
      serviceCode: 'grantInputAccess',
      title: { ky: 'Маалыматтарды киргизүү укугун берүү', ru: 'Предоставить право ввода сведений', en: 'Grant input access' },
      kind: 'write',
      input: grantInputSchema,
      output: grantOutputSchema,
      rest: { method: 'POST', path: '/elements/:elementId/access' },
      handler: (input, ctx) => service.grantInputAccess(input, actorOf(ctx)),
    }),
    defineOperation({
      ...common,
      serviceCode: 'submitElementData',
      title: { ky: 'Инфратүзүмдүн элементи жөнүндө маалыматтарды киргизүү', ru: 'Внести сведения об элементе инфраструктуры', en: 'Submit the infrastructure element’s data' },
      kind: 'write',
      input: elementSubmissionSchema,
      output: submissionOutputSchema,
      attachmentFields: ['technicalDocumentation', 'commissioningActFile'],
      rest: { method: 'POST', path: '/elements/:elementId/data' },
      handler: (input, ctx) => service.submitElementData(input, actorOf(ctx)),
    }),
    defineOperation({
      ...common,
      serviceCode: 'decideRegistration',
      title: { ky: 'Каттоо же каттоодон баш тартуу', ru: 'Зарегистрировать или отказать в регистрации', en: 'Register or refuse registration' },
      kind: 'write',
      input: decisionInputSchema,
      output: decisionOutputSchema,
      rest: { method: 'POST', path: '/elements/:elementId/decision' },
      handler: (input, ctx) => service.decideRegistration(input, actorOf(ctx)),
    }),
    defineOperation({
      ...common,
      serviceCode: 'updateElement',
      title: { ky: 'Инфратүзүмдүн элементи жөнүндө маалыматтарды жаңыртуу', ru: 'Обновить сведения об элементе инфраструктуры', en: 'Update the infrastructure element’s data' },
      kind: 'write',
      input: elementSubmissionSchema,
      output: submissionOutputSchema,
      attachmentFields: ['technicalDocumentation', 'commissioningActFile'],
      rest: { method: 'POST', path: '/elements/:elementId/versions' },
      handler: (input, ctx) => service.updateElement(input, actorOf(ctx)),
    }),
    defineOperation({
      ...common,
      serviceCode: 'submitDeregistrationNotice',
      title: { ky: 'Реестрден чыгаруу жөнүндө билдирүү берүү', ru: 'Подать уведомление об исключении из Реестра', en: 'Submit a deregistration notice' },
      kind: 'write',
      input: deregistrationNoticeInputSchema,
      output: deregistrationNoticeOutputSchema,
      attachmentFields: ['decisionCopy'],
      rest: { method: 'POST', path: '/elements/:elementId/deregistration-notice' },
      handler: (input, ctx) => service.submitDeregistrationNotice(input, actorOf(ctx)),
    }),
    defineOperation({
      ...common,
      serviceCode: 'deregisterElement',
      title: { ky: 'Инфратүзүмдүн элементин Реестрден чыгаруу', ru: 'Исключить элемент инфраструктуры из Реестра', en: 'Deregister the infrastructure element' },
      kind: 'write',
      input: deregisterInputSchema,
      output: transitionOutputSchema,
      rest: { method: 'POST', path: '/elements/:elementId/deregistration' },
      handler: (input, ctx) => service.deregisterElement(input, actorOf(ctx)),
    }),
    defineOperation({
      ...common,
      serviceCode: 'getElement',
      title: { ky: 'Инфратүзүмдүн элементин тарыхы менен алуу', ru: 'Получить элемент инфраструктуры с историей', en: 'Get an infrastructure element with its history' },
      kind: 'read',
      input: getElementInputSchema,
      output: elementViewSchema,
      rest: { method: 'GET', path: '/elements/:elementId' },
      handler: (input, ctx) => service.getElement(input, actorOf(ctx)),
    }),
    defineOperation({
      ...common,
      serviceCode: 'listElements',
      title: { ky: 'Инфратүзүмдүн элементтеринин тизмеси', ru: 'Список элементов инфраструктуры', en: 'List infrastructure elements' },
      kind: 'read',
      input: listElementsInputSchema,
      output: listElementsOutputSchema,
      rest: { method: 'GET', path: '/elements' },
      handler: (input, ctx) => service.listElements(input, actorOf(ctx)),
    }),
  ];
}

export function infraServiceGroup(service: InfraService): ServiceGroup {
  return { subsystem: INFRA_SUBSYSTEM, namespace: INFRA_NAMESPACE, title: INFRA_GROUP_TITLE, operations: infraOperations(service) };
}
