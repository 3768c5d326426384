import type { FieldError } from '../../errors/app-error.js';
import type { Text } from '../../i18n/messages.js';

/**
 * Every check of the infrastructure registry's inputs has a stable reason code and its message in
 * ky, ru and en. Parameterised messages take their numbers from the check itself.
 */
export const INFRA_REASONS = {
  'infra.required': () => ({ ky: 'Бул талааны толтуруу милдеттүү.', ru: 'Поле обязательно для заполнения.', en: 'This field is required.' }),
  'infra.tooLong': (p: { max: number }) => ({
    ky: `Өтө узун: ${p.max} белгиден ашпашы керек.`,
    ru: `Слишком длинно: не более ${p.max} символов.`,
    en: `Too long: at most ${p.max} characters.`,
  }),
  'infra.email': () => ({ ky: 'Электрондук почтанын дареги туура эмес.', ru: 'Неверный адрес электронной почты.', en: 'Invalid e-mail address.' }),
  'infra.phone': () => ({ ky: 'Телефон номери туура эмес.', ru: 'Неверный номер телефона.', en: 'Invalid phone number.' }),
  'infra.date': () => ({ ky: 'Күн ЖЖЖЖ-АА-КК форматында чыныгы күн болушу керек.', ru: 'Дата должна быть действительной датой в формате ГГГГ-ММ-ДД.', en: 'The date must be a real date written YYYY-MM-DD.' }),
  'infra.dateInFuture': () => ({ ky: 'Күн келечекте боло албайт.', ru: 'Дата не может быть в будущем.', en: 'The date cannot be in the future.' }),
  'infra.pin': () => ({
    ky: 'ПИН 14 сандан турат: 1 же 2, туулган күнү (ККААЖЖЖЖ) жана 5 сан.',
    ru: 'ПИН состоит из 14 цифр: 1 или 2, дата рождения (ДДММГГГГ) и 5 цифр.',
    en: 'A PIN has 14 digits: 1 or 2, the birth date (DDMMYYYY) and 5 digits.',
  }),
  'infra.nonNegativeInteger': () => ({ ky: 'Терс эмес бүтүн сан болушу керек.', ru: 'Должно быть неотрицательным целым числом.', en: 'Must be a non-negative integer.' }),
  'infra.tooLarge': (p: { max: number }) => ({ ky: `${p.max} ашпашы керек.`, ru: `Не должно превышать ${p.max}.`, en: `Must not exceed ${p.max}.` }),
  'infra.blankItem': () => ({ ky: 'Тизменин элементтери бош болбошу керек.', ru: 'Элементы списка не должны быть пустыми.', en: 'List items must not be blank.' }),
  'infra.duplicateItem': () => ({ ky: 'Тизмеде кайталанган элемент бар.', ru: 'В списке есть повторяющийся элемент.', en: 'The list has a duplicate item.' }),
  'infra.tooManyItems': (p: { max: number }) => ({
    ky: `Тизмеде ${p.max} элементтен ашпашы керек.`,
    ru: `В списке не более ${p.max} элементов.`,
    en: `At most ${p.max} items.`,
  }),
  'infra.operatorNotExpected': () => ({
    ky: 'Ээси элементтин оператору болгондо оператор жөнүндө маалымат көрсөтүлбөйт.',
    ru: 'Если собственник сам является оператором, сведения об операторе не указываются.',
    en: 'Operator details are not given when the owner operates the element itself.',
  }),
  'infra.attachmentMissing': () => ({
    ky: 'Шилтеме берилген тиркеме суроо-талапта жок.',
    ru: 'Указанное вложение отсутствует в запросе.',
    en: 'The referenced attachment is not in the request.',
  }),
  'infra.attachmentDuplicateRef': () => ({
    ky: 'Бир эле тиркемеге бир нече жолу шилтеме берилген.',
    ru: 'На одно вложение сослались несколько раз.',
    en: 'The same attachment is referenced more than once.',
  }),
  'infra.attachmentType': (p: { allowed: string }) => ({
    ky: `Тиркеменин бул түрүнө уруксат жок. Уруксат берилгендер: ${p.allowed}.`,
    ru: `Этот тип вложения не допускается. Допустимые: ${p.allowed}.`,
    en: `This attachment type is not allowed. Allowed: ${p.allowed}.`,
  }),
  'infra.attachmentContentMismatch': () => ({
    ky: 'Тиркеменин мазмуну анын көрсөтүлгөн түрүнө дал келбейт.',
    ru: 'Содержимое вложения не соответствует заявленному типу.',
    en: 'The attachment’s content does not match its declared type.',
  }),
  'infra.attachmentTooLarge': (p: { max: number }) => ({
    ky: `Тиркеме өтө чоң: ${p.max} байттан ашпашы керек.`,
    ru: `Вложение слишком большое: не более ${p.max} байт.`,
    en: `The attachment is too large: at most ${p.max} bytes.`,
  }),
  'infra.attachmentEmpty': () => ({ ky: 'Тиркеме бош.', ru: 'Вложение пустое.', en: 'The attachment is empty.' }),
  'infra.attachmentDigest': () => ({
    ky: 'Тиркеменин SHA-256 хэши анын мазмунуна дал келбейт.',
    ru: 'SHA-256 вложения не совпадает с его содержимым.',
    en: 'The attachment’s SHA-256 does not match its content.',
  }),
  'infra.refusalGroundRequired': () => ({
    ky: 'Баш тартууда эки негиздин так бирөө көрсөтүлөт (Эрежелердин 23-пункту).',
    ru: 'При отказе указывается ровно одно из двух оснований (пункт 23 Правил).',
    en: 'A refusal names exactly one of the two grounds (Rules §23).',
  }),
  'infra.refusalGroundNotExpected': () => ({
    ky: 'Каттоодо баш тартуу негизи көрсөтүлбөйт.',
    ru: 'При регистрации основание отказа не указывается.',
    en: 'A registration carries no refusal ground.',
  }),
  'infra.dataComplete': () => ({
    ky: 'Маалыматтар 20-пунктка ылайык толук: толук эмес маалымат негизинде баш тартууга болбойт.',
    ru: 'Сведения полны согласно пункту 20: отказ по основанию неполноты невозможен.',
    en: 'The data is complete under §20: it cannot be refused as incomplete.',
  }),
  'infra.dataIncomplete': (p: { items: string }) => ({
    ky: `20-пункттун маалыматтары толук эмес (${p.items}-пункттар).`,
    ru: `Сведения по пункту 20 неполны (подпункты ${p.items}).`,
    en: `The §20 data is incomplete (items ${p.items}).`,
  }),
  'infra.cursor': () => ({ ky: 'Барак курсору туура эмес.', ru: 'Неверный курсор страницы.', en: 'Invalid page cursor.' }),
  'infra.limit': (p: { max: number }) => ({
    ky: `Барактын өлчөмү 1ден ${p.max}ге чейин.`,
    ru: `Размер страницы от 1 до ${p.max}.`,
    en: `Page size must be between 1 and ${p.max}.`,
  }),
} satisfies Record<string, (p: never) => Text>;

export type InfraReason = keyof typeof INFRA_REASONS;
type ParamsOf<R extends InfraReason> = Parameters<(typeof INFRA_REASONS)[R]>[0];

/** One field error with its stable reason and the message in three languages. */
export function fieldError<R extends InfraReason>(field: string, reason: R, ...params: ParamsOf<R> extends undefined ? [] : [ParamsOf<R>]): FieldError {
  const make = INFRA_REASONS[reason] as (p?: ParamsOf<R>) => Text;
  return { field, reason, message: make(params[0]) };
}
