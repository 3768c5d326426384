import type { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { Text } from '../../i18n/messages.js';
import { defineOperation, type CallContext, type OperationDef, type RestBinding, type ServiceGroup } from '../../operations/types.js';
import {
  applicationStatusOutput,
  emptyInput,
  historyOutput,
  holderOutput,
  innOnlyInput,
  listHoldersInput,
  listHoldersOutput,
  overdueReportOutput,
  registerHolderInput,
  registrationOutput,
  reviewApplicationInput,
  submitDataArraysInput,
  submitPersonalDataListInput,
} from './holders-schemas.js';
import type { HoldersCaller, HoldersService } from './holders-service.js';

export const HOLDERS_SUBSYSTEM = 'pd-holders-registry';
export const HOLDERS_NAMESPACE = 'urn:kg:dpa:holders-registry:v1';

export const HOLDERS_TITLE: Text = {
  ky: 'Жеке маалыматтар массивин кармоочуларынын (ээлеринин) реестри',
  ru: 'Реестр держателей (обладателей) массивов персональных данных',
  en: 'Registry of holders (owners) of personal data arrays',
};

const t = (ky: string, ru: string, en: string): Text => ({ ky, ru, en });

type Define = <I, O>(
  serviceCode: string,
  title: Text,
  kind: 'read' | 'write',
  rest: RestBinding,
  input: z.ZodType<I>,
  output: z.ZodType<O>,
  run: (input: I, caller: HoldersCaller) => Promise<O>,
) => OperationDef;

/** Operations of the group whose handlers pass the caller taken from the call context. */
function definer(now: () => Date): Define {
  return (serviceCode, title, kind, rest, input, output, run) =>
    defineOperation({
      subsystem: HOLDERS_SUBSYSTEM,
      serviceCode,
      version: 'v1',
      namespace: HOLDERS_NAMESPACE,
      title,
      kind,
      input,
      output,
      rest,
      handler: (i, ctx: CallContext) => run(i, { client: ctx.client, userId: ctx.userId, requestId: ctx.requestId, now: ctx.now ?? now() }),
    });
}

/**
 * The operations of CONTRACT §5 for `pd-holders-registry` (one WSDL, one /api/v1 family), and
 * the operator-only reads served beside them. Who may call which is the transport's ACL.
 */
export function holdersOperations(service: HoldersService, now: () => Date = () => new Date()): { group: ServiceGroup; operatorOperations: OperationDef[] } {
  const op = definer(now);
  const operations = [
    op(
      'registerHolder',
      t('I этап: кармоочунун маалыматтары (каттоо)', 'Этап I: данные держателя (регистрация)', 'Stage I: holder data (registration)'),
      'write',
      { method: 'POST', path: '/holders' },
      registerHolderInput,
      holderOutput,
      (i, c) => service.registerHolder(i, c),
    ),
    op(
      'submitDataArrays',
      t('II этап: жеке маалыматтар массивдери жөнүндө маалымат', 'Этап II: сведения о массивах персональных данных', 'Stage II: personal data arrays'),
      'write',
      { method: 'PUT', path: '/holders/:inn/data-arrays' },
      submitDataArraysInput,
      registrationOutput,
      (i, c) => service.submitDataArrays(i, c),
    ),
    op(
      'submitPersonalDataList',
      t('III этап: жеке маалыматтардын тизмеси, кароого жөнөтүү', 'Этап III: перечень персональных данных, отправка на рассмотрение', 'Stage III: list of personal data, submit for review'),
      'write',
      { method: 'PUT', path: '/holders/:inn/personal-data' },
      submitPersonalDataListInput,
      applicationStatusOutput,
      (i, c) => service.submitPersonalDataList(i, c),
    ),
    op(
      'reviewApplication',
      t('Өтүнмөнү кароо (Агенттик)', 'Рассмотрение заявки (Агентство)', 'Review an application (the Agency)'),
      'write',
      { method: 'POST', path: '/holders/:inn/review' },
      reviewApplicationInput,
      applicationStatusOutput,
      (i, c) => service.reviewApplication(i, c),
    ),
    op(
      'getApplicationStatus',
      t('Өтүнмөнүн абалы', 'Статус заявки', 'Application status'),
      'read',
      { method: 'GET', path: '/holders/:inn/status' },
      innOnlyInput,
      applicationStatusOutput,
      (i, c) => service.getApplicationStatus(i, c),
    ),
    op(
      'getHolder',
      t('Кармоочунун маалыматтары', 'Сведения о держателе', 'Holder record'),
      'read',
      { method: 'GET', path: '/holders/:inn' },
      innOnlyInput,
      holderOutput,
      (i, c) => service.getHolder(i, c),
    ),
    op(
      'listHolders',
      t('Катталган кармоочулардын тизмеси', 'Список зарегистрированных держателей', 'Registered holders'),
      'read',
      { method: 'GET', path: '/holders' },
      listHoldersInput,
      listHoldersOutput,
      (i, c) => service.listHolders(i, c),
    ),
  ];
  const operatorOperations = [
    op(
      'listOverdueApplications',
      t('Мөөнөтү өткөн өтүнмөлөр', 'Просроченные заявки', 'Applications past due'),
      'read',
      { method: 'GET', path: '/holders-reports/overdue' },
      emptyInput,
      overdueReportOutput,
      (_i, c) => service.listOverdueApplications({}, c),
    ),
    op(
      'getHolderHistory',
      t('Өтүнмөнүн өзгөрүүлөрүнүн тарыхы', 'История изменений заявки', 'Application change history'),
      'read',
      { method: 'GET', path: '/holders/:inn/history' },
      innOnlyInput,
      historyOutput,
      (i, c) => service.getHolderHistory(i, c),
    ),
  ];
  return { group: { subsystem: HOLDERS_SUBSYSTEM, namespace: HOLDERS_NAMESPACE, title: HOLDERS_TITLE, operations }, operatorOperations };
}

/**
 * The group for service descriptions (WSDL, OpenAPI) only: definitions without a service behind
 * them; a handler called by mistake refuses with INTERNAL.
 */
export function describedHoldersGroup(): ServiceGroup {
  const none = new Proxy({} as HoldersService, {
    get: () => () => Promise.reject(new AppError('INTERNAL', { cause: new Error('described holders group has no service') })),
  });
  return holdersOperations(none).group;
}
