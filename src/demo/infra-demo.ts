import type { z } from 'zod';
import { DEMO_INFRA_EMPLOYEE, demoElementData, demoNotice } from '../../fixtures/demo/demo-data.js';
import { INFRA_CLIENTS, sampleDecisionCopy, sampleFiles } from '../../fixtures/infra/sample-element.js';
import { bishkekDate } from '../calendar/working-calendar.js';
import { INFRA_NAMESPACE } from '../registries/infra/infra-operations.js';
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
  noticeInputSchema,
  submissionOutputSchema,
  transitionOutputSchema,
  type TransitionOutput,
} from '../registries/infra/infra-schemas.js';
import { SignedSoapClient, stepRunner, type DemoFile, type DemoStep, type Print, type SoapOutcome } from './soap-client.js';

/**
 * Who plays which part (config/default.json `infra`): the accounting subject keeps the element,
 * the authorized body forwards the notice, the registry operator grants access and decides.
 */
export const INFRA_DEMO_PARTIES = {
  provider: 'central-server/GOV/70000098/egov-infra-registry',
  subject: INFRA_CLIENTS.subject,
  authorizedBody: INFRA_CLIENTS.authorizedBody,
  operator: INFRA_CLIENTS.operator,
} as const;

export interface InfraDemoOptions {
  url: string;
  certsDir: string;
  print: Print;
}

export interface InfraDemoResult {
  elementId: string;
  registryNumber: string;
  status: string;
  versions: number;
  historyEntries: number;
  attachments: Array<{ role: string; sha256: string; sizeBytes: number }>;
  steps: DemoStep[];
}

type Party = 'subject' | 'authorizedBody' | 'operator';

/**
 * One element of the e-governance infrastructure through its whole life over signed SOAP:
 * registration notice → forwarded by the authorized body → input access granted by the operator →
 * the 17 items with the documentation and commissioning act as SwA attachments → REGISTERED →
 * update (a new version) → deregistration notice with the decision copy → deregistered → read back.
 * Every run files a new element, so it can be run again and again.
 */
export async function runInfraDemo(opts: InfraDemoOptions): Promise<InfraDemoResult> {
  const { print } = opts;
  const client = new SignedSoapClient(opts);
  const P = INFRA_DEMO_PARTIES;
  const steps: DemoStep[] = [];
  const call = <O>(who: Party, serviceCode: string, input: z.ZodType, output: z.ZodType<O>, value: unknown, extra: { userId?: string; files?: DemoFile[] } = {}): Promise<SoapOutcome<O>> =>
    client.call({ client: P[who], provider: P.provider, serviceCode, namespace: INFRA_NAMESPACE, input, output, value, ...extra });
  const step = stepRunner(print, steps);
  const next = (o: TransitionOutput): string =>
    `status ${o.status}${o.pending ? ` · next: ${o.pending.step}${o.pending.dueDate ? ` due ${o.pending.dueDate}` : ''}${o.pending.overdue ? ' (OVERDUE)' : ''}` : ''}${o.late ? ' · done late' : ''}`;

  const notice = demoNotice();
  print('Registry of e-governance infrastructure elements (egov-infra-registry) — signed SOAP demo');
  print(`  endpoint         POST ${client.endpoint}`);
  print(`  subject          ${P.subject} (member 70000060's key) — ${notice.subject.name}`);
  print(`  authorized body  ${P.authorizedBody} (member 70000070's key)`);
  print(`  operator         ${P.operator} (member 70000098's key)`);
  print(`  employee         ${DEMO_INFRA_EMPLOYEE.fullName}, ${DEMO_INFRA_EMPLOYEE.email}, PIN ${DEMO_INFRA_EMPLOYEE.pin} (xrd:userId when entering data)`);
  print('');

  const n = step(`submitRegistrationNotice (subject notifies: ${notice.element.shortName}, ${notice.element.elementType})`, await call('subject', 'submitRegistrationNotice', noticeInputSchema, transitionOutputSchema, notice), (o) => [
    `element ${o.elementId} · ${next(o)}`,
  ]);
  const elementId = n.elementId;

  step('forwardNotice (authorized body forwards it to the operator)', await call('authorizedBody', 'forwardNotice', forwardInputSchema, transitionOutputSchema, { elementId, comment: 'Демо: кабыл алынды' }), (o) => [next(o)]);

  step('grantInputAccess (operator binds input rights to the employee)', await call('operator', 'grantInputAccess', grantInputSchema, grantOutputSchema, { elementId }), (o) => [
    `${next(o)} · granted to ${o.grantedEmail} (the employee is recognised by this e-mail in BIS)`,
  ]);

  const files = sampleFiles();
  const data = demoElementData();
  const submitted = step(
    `submitElementData (the employee enters the 17 items; ${files.length} files as SwA attachments)`,
    await call(
      'subject',
      'submitElementData',
      elementSubmissionSchema,
      submissionOutputSchema,
      { elementId, data, technicalDocumentation: ['cid:tech-doc-1', 'cid:tech-doc-2'], commissioningActFile: 'cid:commissioning-act' },
      { userId: DEMO_INFRA_EMPLOYEE.pin, files },
    ),
    (o) => [
      `${next(o)} · version ${o.version} · missing items: ${o.missingItems.length ? o.missingItems.join(', ') : 'none'}`,
      ...o.attachments.map((a) => `stored ${[a.role, a.filename, a.contentType, `${a.sizeBytes} B`].filter(Boolean).join(' ')} · sha256 ${a.sha256.slice(0, 16)}…`),
    ],
  );

  const decision = step('decideRegistration REGISTERED (operator)', await call('operator', 'decideRegistration', decisionInputSchema, decisionOutputSchema, { elementId, decision: 'REGISTERED' }), (o) => [
    `${next(o)} · registry number ${o.registryNumber ?? '-'}`,
  ]);

  step(
    'updateElement (modernisation: a new version, the old one stays readable)',
    await call('subject', 'updateElement', elementSubmissionSchema, submissionOutputSchema, { elementId, data: { ...data, numberOfUsers: (data.numberOfUsers ?? 0) + 500 } }, { userId: DEMO_INFRA_EMPLOYEE.pin }),
    (o) => [`${next(o)} · version ${o.version} · number of users ${(data.numberOfUsers ?? 0) + 500} · files carried over: ${o.attachments.length}`],
  );

  const copy = sampleDecisionCopy();
  const decisionDate = bishkekDate(new Date());
  step(
    `submitDeregistrationNotice (decision of ${decisionDate} to stop operating it; its copy attached)`,
    await call(
      'subject',
      'submitDeregistrationNotice',
      deregistrationNoticeInputSchema,
      deregistrationNoticeOutputSchema,
      { elementId, decisionDate, decisionNumber: '17-ч', reason: 'Жаңы система менен алмаштырылды', decisionCopy: `cid:${copy.contentId}` },
      { userId: DEMO_INFRA_EMPLOYEE.pin, files: [copy] },
    ),
    (o) => [`${next(o)} · notice due by ${o.noticeDueDate} · late: ${o.noticeLate}`],
  );

  step('deregisterElement (operator, with the authorized body\'s agreement)', await call('operator', 'deregisterElement', deregisterInputSchema, transitionOutputSchema, { elementId, agreementReference: '№ 3-к', agreementDate: decisionDate }), (o) => [next(o)]);

  const view = step('getElement (the element and its history stay readable)', await call('subject', 'getElement', getElementInputSchema, elementViewSchema, { elementId }), (o) => [
    `${o.registryNumber ?? '-'} · ${o.fullName} · status ${o.status} (${o.statusText.en})`,
    `${o.versions.length} versions · ${o.attachments.length} attachments · history: ${o.history.map((h) => h.toStatus).join(' → ')}`,
  ]);

  print('');
  print(`Done: element ${elementId} (${decision.registryNumber ?? 'no number'}) went from notice to ${view.status}; version 1 had ${submitted.attachments.length} files.`);
  print('Every exchange above is in the exchange log: see /console (dev auditor token) or `npm run cli -- log verify`.');
  return {
    elementId,
    registryNumber: decision.registryNumber ?? '',
    status: view.status,
    versions: view.versions.length,
    historyEntries: view.history.length,
    attachments: view.attachments.map((a) => ({ role: a.role, sha256: a.sha256, sizeBytes: a.sizeBytes })),
    steps,
  };
}
