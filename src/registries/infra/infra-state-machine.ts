import { AppError } from '../../errors/app-error.js';
import type { Text } from '../../i18n/messages.js';
import { STATUS_TEXT, type InfraStatus } from './infra-vocabulary.js';

/**
 * The one life cycle of an infrastructure element (Rules §17–32). Every status change in the
 * registry goes through `nextStatus`; nothing else decides what may follow what.
 */
export const INFRA_ACTIONS = [
  'SUBMIT_NOTICE',
  'FORWARD',
  'GRANT_ACCESS',
  'SUBMIT_DATA',
  'REGISTER',
  'REFUSE',
  'UPDATE',
  'REQUEST_DEREGISTRATION',
  'DEREGISTER',
] as const;
export type InfraAction = (typeof INFRA_ACTIONS)[number];

/** `null` stands for "no element yet". */
type From = InfraStatus | null;

const TRANSITIONS: Record<InfraAction, { from: readonly From[]; to: InfraStatus }> = {
  // §18; after a refusal the notification is sent again (§23, last paragraph), e.g. naming another employee.
  SUBMIT_NOTICE: { from: [null, 'REFUSED'], to: 'NOTICE_SUBMITTED' },
  // §19: the authorized body forwards within 3 days.
  FORWARD: { from: ['NOTICE_SUBMITTED'], to: 'FORWARDED' },
  // §19: the operator grants online input rights bound to the departmental e-mail.
  GRANT_ACCESS: { from: ['FORWARDED'], to: 'ACCESS_GRANTED' },
  // §20; from REFUSED: the corrected data is sent again (§23).
  SUBMIT_DATA: { from: ['ACCESS_GRANTED', 'REFUSED'], to: 'DATA_SUBMITTED' },
  // §21–22.
  REGISTER: { from: ['DATA_SUBMITTED'], to: 'REGISTERED' },
  // §21, §23.
  REFUSE: { from: ['DATA_SUBMITTED'], to: 'REFUSED' },
  // §24: modernisation or change of a registered element.
  UPDATE: { from: ['REGISTERED'], to: 'REGISTERED' },
  // §30.
  REQUEST_DEREGISTRATION: { from: ['REGISTERED'], to: 'DEREGISTRATION_REQUESTED' },
  // §29, §31.
  DEREGISTER: { from: ['DEREGISTRATION_REQUESTED'], to: 'DEREGISTERED' },
};

/** The states an action is allowed in (for documentation and tests). */
export function allowedFrom(action: InfraAction): readonly From[] {
  return TRANSITIONS[action].from;
}

/** The status after `action`, or `INVALID_STATE` naming the current state in ky/ru/en. */
export function nextStatus(current: From, action: InfraAction): InfraStatus {
  const t = TRANSITIONS[action];
  if (!t.from.includes(current)) throw new AppError('INVALID_STATE', { detail: currentStateText(current) });
  return t.to;
}

export function currentStateText(current: From): Text {
  if (current === null) {
    return { ky: 'Элемент реестрде жок.', ru: 'Элемент отсутствует в реестре.', en: 'The element does not exist.' };
  }
  const s = STATUS_TEXT[current];
  return {
    ky: `Учурдагы абал: ${current} («${s.ky}»).`,
    ru: `Текущее состояние: ${current} («${s.ru}»).`,
    en: `Current state: ${current} (${s.en}).`,
  };
}
