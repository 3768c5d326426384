import type { z } from 'zod';
import { AGENCY_ACTOR_PIN, AGENCY_INN, AGENCY_STAGE_1, AGENCY_STAGE_2, AGENCY_STAGE_3 } from '../../fixtures/holders/agency-example.js';
import { DEMO_REVIEWER_PIN } from '../../fixtures/demo/demo-data.js';
import { HOLDERS_NAMESPACE } from '../registries/holders/holders-operations.js';
import {
  applicationStatusOutput,
  holderOutput,
  innOnlyInput,
  listHoldersInput,
  listHoldersOutput,
  registerHolderInput,
  registrationOutput,
  reviewApplicationInput,
  submitDataArraysInput,
  submitPersonalDataListInput,
} from '../registries/holders/holders-schemas.js';
import { DemoError, printStep, SignedSoapClient, stepRunner, unexpectedFault, type DemoStep, type Print, type SoapCall, type SoapOutcome } from './soap-client.js';

/** Who calls (config/default.json ACL): the holder through the E-Kyzmat portal, the Agency's back office reviews. */
export const HOLDERS_DEMO_PARTIES = {
  provider: 'central-server/GOV/70000099/pd-holders-registry',
  portal: 'central-server/GOV/70000030/e-kyzmat-portal',
  backOffice: 'central-server/GOV/70000099/dpa-backoffice',
} as const;

export interface HoldersDemoOptions {
  url: string;
  certsDir: string;
  print: Print;
}

export interface HoldersDemoResult {
  inn: string;
  /** The Agency was already registered when the demo started (a second run). */
  alreadyRegistered: boolean;
  status: string;
  registrationNumber?: string;
  dueDate?: string;
  steps: DemoStep[];
}

type Status = z.infer<typeof applicationStatusOutput>['status'];

/**
 * Walks the seed's Agency example through the holders registry over signed SOAP: stage I (MoJ
 * prefill) → stage II (registration number) → stage III (under review, due date) → the Agency's
 * review → status, record and the public list. On a later run the Agency is already in the
 * registry: the demo says so, shows where it stands, and finishes whatever an earlier, interrupted
 * run left undone.
 */
export async function runHoldersDemo(opts: HoldersDemoOptions): Promise<HoldersDemoResult> {
  const { print } = opts;
  const client = new SignedSoapClient(opts);
  const P = HOLDERS_DEMO_PARTIES;
  const steps: DemoStep[] = [];
  const holderCall = <O>(serviceCode: string, input: z.ZodType, output: z.ZodType<O>, value: unknown): Promise<SoapOutcome<O>> =>
    client.call({ client: P.portal, provider: P.provider, serviceCode, namespace: HOLDERS_NAMESPACE, input, output, value, userId: AGENCY_ACTOR_PIN });
  const step = stepRunner(print, steps);
  const statusLine = (s: { status: string; statusLabel: { en: string }; registrationNumber?: string; dueDate?: string; overdue?: boolean }): string =>
    [`status ${s.status} (${s.statusLabel.en})`, s.registrationNumber && `registration number ${s.registrationNumber}`, s.dueDate && `review due ${s.dueDate}${s.overdue ? ' — OVERDUE' : ''}`].filter(Boolean).join(' · ');

  print('Registry of holders of personal data arrays (pd-holders-registry) — signed SOAP demo');
  print(`  endpoint  POST ${client.endpoint}`);
  print(`  holder    the seed's Agency example, INN ${AGENCY_INN}, acting person PIN ${AGENCY_ACTOR_PIN} (xrd:userId)`);
  print(`  clients   ${P.portal} (member 70000030's key); review by ${P.backOffice} (member 70000099's key)`);
  print('');

  // Where does the Agency stand? NOT_FOUND on a fresh registry.
  const first = await holderCall('getApplicationStatus', innOnlyInput, applicationStatusOutput, { inn: AGENCY_INN });
  let status: Status | undefined;
  if (first.ok) {
    status = first.output.status;
    steps.push(
      printStep(print, 1, 'getApplicationStatus (is the Agency registered?)', first, [
        `already registered: ${statusLine(first.output)}${first.output.registeredAt ? `, registered ${first.output.registeredAt}` : ''}`,
        status === 'APPROVED' ? 'nothing to file again; showing its record and the public list' : 'continuing from where it stands',
      ]),
    );
  } else if (first.fault.detailCode === 'NOT_FOUND') {
    steps.push(printStep(print, 1, 'getApplicationStatus (is the Agency registered?)', first, ['not in the registry yet (NOT_FOUND): filing stages I–III']));
  } else {
    steps.push(printStep(print, 1, 'getApplicationStatus (is the Agency registered?)', first, [`fault ${first.fault.faultCode}`]));
    throw unexpectedFault('getApplicationStatus', first.fault);
  }
  const alreadyRegistered = status !== undefined;
  let changed = false;

  if (status === undefined) {
    const s1 = step('registerHolder (stage I: holder data, prefilled from the Ministry of Justice)', await holderCall('registerHolder', registerHolderInput, holderOutput, AGENCY_STAGE_1), (o) => {
      const fromMoj = o.sources.filter((s) => s.source === 'MINJUST');
      const origin = fromMoj.find((s) => s.origin)?.origin;
      const fetchedAt = fromMoj.find((s) => s.fetchedAt)?.fetchedAt;
      return [
        `status ${o.status} · ${o.holder.name}`,
        `from MoJ: ${fromMoj.map((s) => s.field).join(', ') || 'nothing'}${origin ? ` (source ${origin}${fetchedAt ? `, fetched ${fetchedAt}` : ''})` : ''}`,
        `typed by the holder: ${o.sources.filter((s) => s.source === 'HOLDER').map((s) => s.field).join(', ')}`,
      ];
    });
    status = s1.status;
    changed = true;
  }
  if (status === 'DRAFT') {
    const s2 = step('submitDataArrays (stage II: data arrays; confirming assigns the number)', await holderCall('submitDataArrays', submitDataArraysInput, registrationOutput, AGENCY_STAGE_2), (o) => [
      `status ${o.status} · registration number ${o.registrationNumber} · registered ${o.registeredAt}${o.newlyRegistered ? '' : ' (already numbered)'}`,
    ]);
    status = s2.status;
    changed = true;
  }
  if (status === 'REGISTERED' || status === 'REJECTED') {
    const s3 = step('submitPersonalDataList (stage III: personal data list → review)', await holderCall('submitPersonalDataList', submitPersonalDataListInput, applicationStatusOutput, AGENCY_STAGE_3), (o) => [
      `${statusLine(o)} (10 Kyrgyz working days from ${o.submittedAt ?? 'submission'})`,
    ]);
    status = s3.status;
    changed = true;
  }
  if (status === 'UNDER_REVIEW') {
    const review = await client.call({
      client: P.backOffice,
      provider: P.provider,
      serviceCode: 'reviewApplication',
      namespace: HOLDERS_NAMESPACE,
      input: reviewApplicationInput,
      output: applicationStatusOutput,
      value: { inn: AGENCY_INN, decision: 'APPROVED' },
      userId: DEMO_REVIEWER_PIN,
    } satisfies SoapCall<z.infer<typeof applicationStatusOutput>>);
    const r = step(`reviewApplication (the Agency's back office approves; reviewer PIN ${DEMO_REVIEWER_PIN})`, review, (o) => [`${statusLine(o)}${o.reviewedAt ? ` · reviewed ${o.reviewedAt}` : ''}`]);
    status = r.status;
    changed = true;
  }

  let final = first.ok ? first.output : undefined;
  if (changed) {
    final = step('getApplicationStatus (what the holder sees)', await holderCall('getApplicationStatus', innOnlyInput, applicationStatusOutput, { inn: AGENCY_INN }), (o) => [
      `${statusLine(o)} · overdue ${o.overdue}${o.reviewComment ? ` · comment: ${o.reviewComment}` : ''}`,
    ]);
  }
  if (!final) throw new DemoError('no application status was read');

  step('getHolder (the full record)', await holderCall('getHolder', innOnlyInput, holderOutput, { inn: AGENCY_INN }), (o) => [
    `${o.holder.name}`,
    `current address ${[o.holder.currentAddress.city, o.holder.currentAddress.district, o.holder.currentAddress.streetHouse].filter(Boolean).join(', ')} · head ${o.holder.head} · OKPO ${o.holder.okpo}`,
    `${o.dataArrays?.arrayNames.length ?? 0} data arrays · ${o.personalDataList?.personalData.length ?? 0} personal data items · record version ${o.version}`,
    o.contactsHidden ? "responsible person's contacts hidden from this client (ACL: the Agency only)" : `responsible person ${o.holder.responsiblePerson?.fullName ?? '-'}`,
  ]);

  step('listHolders (the public list)', await holderCall('listHolders', listHoldersInput, listHoldersOutput, { limit: 20 }), (o) => [
    `${o.items.length} holder(s) on the first page${o.nextCursor ? ' (more pages)' : ''}`,
    ...o.items.slice(0, 5).map((i) => `${i.registrationNumber}  ${i.inn}  ${i.status}  ${i.name.slice(0, 60)}${i.name.length > 60 ? '…' : ''}`),
  ]);

  print('');
  print(`Done: the Agency (INN ${AGENCY_INN}) is ${final.status}${final.registrationNumber ? `, registration number ${final.registrationNumber}` : ''}.`);
  print('Every exchange above is in the exchange log: see /console (dev auditor token) or `npm run cli -- log verify`.');
  return {
    inn: AGENCY_INN,
    alreadyRegistered,
    status: final.status,
    ...(final.registrationNumber ? { registrationNumber: final.registrationNumber } : {}),
    ...(final.dueDate ? { dueDate: final.dueDate } : {}),
    steps,
  };
}
