import { AppError } from '../../errors/app-error.js';
import { STATUS_LABELS, type ApplicationStatus } from './vocabularies.js';

/**
 * The life of an application, in one place (seed 000 §3–4):
 *
 *   (none) ─SAVE_HOLDER_DATA→ DRAFT ─SAVE_DATA_ARRAYS→ REGISTERED ─SUBMIT_FOR_REVIEW→ UNDER_REVIEW
 *   UNDER_REVIEW ─APPROVE→ APPROVED | ─REJECT→ REJECTED
 *   REJECTED / APPROVED ─SUBMIT_FOR_REVIEW→ UNDER_REVIEW  (corrected or changed list, agreed again)
 *
 * "Completed stages are kept and can be edited later" (§3.2): stages I and II may be saved again
 * in every state except UNDER_REVIEW, where the Agency is examining a fixed submission.
 * Confirming stage II the first time registers the holder (number and date); submitting stage
 * III starts a review period.
 */
export type HolderEvent = 'SAVE_HOLDER_DATA' | 'SAVE_DATA_ARRAYS' | 'SUBMIT_FOR_REVIEW' | 'APPROVE' | 'REJECT';

/** What a transition does besides changing the status. */
export type TransitionEffect = 'REGISTER' | 'START_REVIEW' | 'DECIDE' | 'NONE';

interface Transition {
  to: ApplicationStatus;
  effect: TransitionEffect;
}

const edit = (s: ApplicationStatus): Transition => ({ to: s, effect: 'NONE' });
const review: Transition = { to: 'UNDER_REVIEW', effect: 'START_REVIEW' };

const TRANSITIONS: Record<ApplicationStatus | 'NONE', Partial<Record<HolderEvent, Transition>>> = {
  NONE: { SAVE_HOLDER_DATA: edit('DRAFT') },
  DRAFT: { SAVE_HOLDER_DATA: edit('DRAFT'), SAVE_DATA_ARRAYS: { to: 'REGISTERED', effect: 'REGISTER' } },
  REGISTERED: { SAVE_HOLDER_DATA: edit('REGISTERED'), SAVE_DATA_ARRAYS: edit('REGISTERED'), SUBMIT_FOR_REVIEW: review },
  UNDER_REVIEW: { APPROVE: { to: 'APPROVED', effect: 'DECIDE' }, REJECT: { to: 'REJECTED', effect: 'DECIDE' } },
  APPROVED: { SAVE_HOLDER_DATA: edit('APPROVED'), SAVE_DATA_ARRAYS: edit('APPROVED'), SUBMIT_FOR_REVIEW: review },
  REJECTED: { SAVE_HOLDER_DATA: edit('REJECTED'), SAVE_DATA_ARRAYS: edit('REJECTED'), SUBMIT_FOR_REVIEW: review },
};

/** The transition of `event` from `current` (undefined = no application yet); Client.InvalidState naming the state otherwise. */
export function transition(current: ApplicationStatus | undefined, event: HolderEvent): Transition {
  const t = TRANSITIONS[current ?? 'NONE'][event];
  if (t) return t;
  if (current === undefined) throw new AppError('NOT_FOUND', { detail: NO_APPLICATION });
  throw invalidState(current);
}

export function canHappen(current: ApplicationStatus | undefined, event: HolderEvent): boolean {
  return TRANSITIONS[current ?? 'NONE'][event] !== undefined;
}

export function invalidState(current: ApplicationStatus): AppError {
  const l = STATUS_LABELS[current];
  return new AppError('INVALID_STATE', {
    detail: {
      ky: `Өтүнмөнүн учурдагы абалы: ${current} («${l.ky}»).`,
      ru: `Текущее состояние заявки: ${current} («${l.ru}»).`,
      en: `The application is in state ${current} (${l.en}).`,
    },
  });
}

export const NO_APPLICATION = {
  ky: 'Бул ИНН боюнча өтүнмө жок; алгач I этапты толтуруңуз.',
  ru: 'Заявки с этим ИНН нет; сначала заполните I этап.',
  en: 'There is no application for this INN; complete stage I first.',
};
