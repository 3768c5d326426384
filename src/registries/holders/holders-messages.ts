import type { BisClient } from '../../consumers/types.js';
import { fieldMessage } from '../../i18n/field-messages.js';
import type { Text } from '../../i18n/messages.js';
import { labelOf } from './field-labels.js';

/**
 * The registry's field messages: a stable reason code per check and a text in ky, ru and en
 * naming the field by its form label, as zod messages (see i18n/field-messages). Reason codes
 * follow the transports' (required, type, tooLong, pattern, enum) and add the registry's own.
 */

type Builder = (l: Text) => Text;

function define(field: string, reason: string, build: Builder): string {
  return fieldMessage(reason, build(labelOf(field)));
}

export type FormatKind = 'inn' | 'pin' | 'okpo' | 'email' | 'phone' | 'date' | 'cursor';

const FORMAT_TEXTS: Record<FormatKind, Builder> = {
  inn: (l) => ({
    ky: `«${l.ky}» 14 цифрадан турушу керек: 0, 1 же 2, андан кийин чыныгы дата (ККААЖЖЖЖ) жана 5 цифра.`,
    ru: `«${l.ru}» — 14 цифр: 0, 1 или 2, затем действительная дата (ДДММГГГГ) и 5 цифр.`,
    en: `“${l.en}” must be 14 digits: 0, 1 or 2, then a real date (DDMMYYYY), then 5 digits.`,
  }),
  pin: (l) => ({
    ky: `«${l.ky}» 14 цифрадан турушу керек: 1 же 2, андан кийин туулган күнү (ККААЖЖЖЖ) жана 5 цифра.`,
    ru: `«${l.ru}» — 14 цифр: 1 или 2, затем дата рождения (ДДММГГГГ) и 5 цифр.`,
    en: `“${l.en}” must be 14 digits: 1 or 2, then the date of birth (DDMMYYYY), then 5 digits.`,
  }),
  okpo: (l) => ({
    ky: `«${l.ky}» 8 цифрадан турушу керек.`,
    ru: `«${l.ru}» должен состоять из 8 цифр.`,
    en: `“${l.en}” must be 8 digits.`,
  }),
  email: (l) => ({
    ky: `«${l.ky}» туура электрондук почта дареги эмес.`,
    ru: `«${l.ru}»: неверный адрес электронной почты.`,
    en: `“${l.en}” is not a valid e-mail address.`,
  }),
  phone: (l) => ({
    ky: `«${l.ky}»: Кыргызстандын номери болушу керек, мисалы 0771557772 же +996771557772.`,
    ru: `«${l.ru}»: укажите номер Кыргызстана, например 0771557772 или +996771557772.`,
    en: `“${l.en}” must be a Kyrgyz number such as 0771557772 or +996771557772.`,
  }),
  date: (l) => ({
    ky: `«${l.ky}» ЖЖЖЖ-АА-КК түрүндөгү чыныгы дата болушу керек.`,
    ru: `«${l.ru}» — действительная дата в формате ГГГГ-ММ-ДД.`,
    en: `“${l.en}” must be a real date YYYY-MM-DD.`,
  }),
  cursor: (l) => ({
    ky: `«${l.ky}» жараксыз; тизмени башынан сураңыз.`,
    ru: `«${l.ru}» недействителен; запросите список с начала.`,
    en: `“${l.en}” is not valid; request the list from the start.`,
  }),
};

export const fieldMsg = {
  required: (field: string): string =>
    define(field, 'required', (l) => ({ ky: `«${l.ky}» милдеттүү талаа.`, ru: `Поле «${l.ru}» обязательно.`, en: `“${l.en}” is required.` })),
  type: (field: string): string =>
    define(field, 'type', (l) => ({ ky: `«${l.ky}» талаасынын түрү туура эмес.`, ru: `Неверный тип поля «${l.ru}».`, en: `“${l.en}” has the wrong type.` })),
  tooLong: (field: string, max: number): string =>
    define(field, 'tooLong', (l) => ({
      ky: `«${l.ky}» ${max} белгиден ашпашы керек.`,
      ru: `«${l.ru}»: не более ${max} символов.`,
      en: `“${l.en}” must be at most ${max} characters.`,
    })),
  blankItem: (field: string): string =>
    define(field, 'blankItem', (l) => ({
      ky: `«${l.ky}» тизмесинде бош элемент бар.`,
      ru: `Список «${l.ru}» содержит пустой элемент.`,
      en: `“${l.en}” contains a blank item.`,
    })),
  tooMany: (field: string, max: number): string =>
    define(field, 'tooMany', (l) => ({
      ky: `«${l.ky}» тизмесинде ${max} элементтен ашпашы керек.`,
      ru: `Список «${l.ru}»: не более ${max} элементов.`,
      en: `“${l.en}” may hold at most ${max} items.`,
    })),
  duplicate: (field: string): string =>
    define(field, 'duplicate', (l) => ({
      ky: `«${l.ky}» тизмесинде кайталанган маани бар.`,
      ru: `Список «${l.ru}» содержит повторяющееся значение.`,
      en: `“${l.en}” contains a value twice.`,
    })),
  notAllowed: (field: string): string =>
    define(field, 'enum', (l) => ({
      ky: `«${l.ky}»: маани уруксат берилген тизмеде жок.`,
      ru: `«${l.ru}»: значение не из допустимого списка.`,
      en: `“${l.en}” has a value outside the allowed list.`,
    })),
  outOfRange: (field: string, min: number, max: number): string =>
    define(field, 'outOfRange', (l) => ({
      ky: `«${l.ky}» ${min} жана ${max} ортосундагы бүтүн сан болушу керек.`,
      ru: `«${l.ru}»: целое число от ${min} до ${max}.`,
      en: `“${l.en}” must be a whole number from ${min} to ${max}.`,
    })),
  format: (field: string, kind: FormatKind): string => define(field, 'pattern', FORMAT_TEXTS[kind]),
  atLeastOne: (field: string, otherField: string): string =>
    define(field, 'required', (l) => {
      const o = labelOf(otherField);
      return {
        ky: `«${l.ky}» тизмесинен тандаңыз же «${o.ky}» талаасын толтуруңуз.`,
        ru: `Выберите значения «${l.ru}» или заполните «${o.ru}».`,
        en: `Choose from “${l.en}” or fill in “${o.en}”.`,
      };
    }),
  /** Required because of another field's value (e.g. cross-border transfer = yes). */
  requiredWhen: (field: string, because: Text): string =>
    define(field, 'requiredWhen', (l) => ({
      ky: `«${l.ky}» милдеттүү, анткени ${because.ky}.`,
      ru: `Поле «${l.ru}» обязательно, так как ${because.ru}.`,
      en: `“${l.en}” is required because ${because.en}.`,
    })),
  /** Must be absent because of another field's value. */
  notApplicable: (field: string, because: Text): string =>
    define(field, 'notApplicable', (l) => ({
      ky: `«${l.ky}» толтурулбашы керек, анткени ${because.ky}.`,
      ru: `Поле «${l.ru}» не заполняется, так как ${because.ru}.`,
      en: `“${l.en}” must be left out because ${because.en}.`,
    })),
  /** The value differs from the Ministry of Justice's, which is authoritative for this field. */
  conflictWithSource: (field: string): string =>
    define(field, 'conflictWithSource', (l) => ({
      ky: `«${l.ky}» Юстиция министрлигинин маалымат базасынан алынат жана андан айырмаланбашы керек; өзгөртүү үчүн министрликке кайрылыңыз.`,
      ru: `«${l.ru}» берётся из базы Министерства юстиции и не может от неё отличаться; для изменения обратитесь в министерство.`,
      en: `“${l.en}” comes from the Ministry of Justice database and may not differ from it; correct it there.`,
    })),
  /** Mandatory, and the Ministry of Justice had no usable value for it. */
  missingAfterPrefill: (field: string): string =>
    define(field, 'required', (l) => ({
      ky: `«${l.ky}» милдеттүү: Юстиция министрлигинин маалымат базасында бул маани жок, аны колго толтуруңуз.`,
      ru: `Поле «${l.ru}» обязательно: в базе Министерства юстиции значения нет, заполните его вручную.`,
      en: `“${l.en}” is required: the Ministry of Justice has no value for it, so fill it in.`,
    })),
} as const;

/** Reasons given to a field by the conditions of stage II and the review. */
export const BECAUSE = {
  crossBorderYes: { ky: 'трансчекаралык өткөрүп берүү болжолдонууда', ru: 'предполагается трансграничная передача', en: 'a cross-border transfer is planned' },
  crossBorderNo: { ky: 'трансчекаралык өткөрүп берүү болжолдонбойт', ru: 'трансграничная передача не предполагается', en: 'no cross-border transfer is planned' },
  processorExists: { ky: 'иштеп чыгуучу бар', ru: 'обработчик указан', en: 'a processor is named' },
  noProcessor: { ky: 'иштеп чыгуучу жок', ru: 'обработчика нет', en: 'there is no processor' },
  rejected: { ky: 'өтүнмө макулдашылган жок', ru: 'заявка не согласована', en: 'the application is rejected' },
} as const satisfies Record<string, Text>;

/** Why BIS refused the user for the organisation (the consumers' reason codes). */
export type CertificateRefusal = NonNullable<Awaited<ReturnType<BisClient['mayActFor']>>['reason']>;

/** Texts of the refusals; the SUSPENDED one is the seed's own (§2.2, figure 5). */
export const CERTIFICATE_REFUSAL_TEXTS: Record<CertificateRefusal, Text> = {
  NO_CERTIFICATE: {
    ky: 'Колдонуучунун бул уюмдун (ИНН) булуттуу санарип колтамгасы жок.',
    ru: 'У пользователя нет облачной цифровой подписи этой организации (ИНН).',
    en: 'The user holds no cloud digital signature of this organisation (INN).',
  },
  EXPIRED: {
    ky: 'Уюмдун сертификатынын жарактуулук мөөнөтү бүткөн.',
    ru: 'Срок действия сертификата организации истёк.',
    en: "The organisation's certificate has expired.",
  },
  REVOKED: {
    ky: 'Уюмдун сертификаты кайтарылып алынган. Жакынкы КТБга кайрылыңыз же 119 кыска номерине чалыңыз.',
    ru: 'Сертификат организации отозван. Обратитесь в ближайший ЦОН или позвоните по короткому номеру 119.',
    en: "The organisation's certificate has been revoked. Contact the nearest public service centre or call 119.",
  },
  SUSPENDED: {
    ky: 'Сертификаттын колдонуусу токтотулган. Кошумча маалымат үчүн жакынкы КТБга кайрылыңыз же 119 кыска номерине чалыңыз.',
    ru: 'Использование сертификата приостановлено. Обратитесь в ближайший ЦОН или позвоните по короткому номеру 119.',
    en: 'Use of the certificate is suspended. Contact the nearest public service centre or call 119.',
  },
  OTHER_ORGANISATION: {
    ky: 'Колдонуучунун сертификаты башка уюмга таандык.',
    ru: 'Сертификат пользователя принадлежит другой организации.',
    en: "The user's certificate belongs to another organisation.",
  },
};

/** Field message on "inn" for a BIS refusal; reason certificateExpired, certificateRevoked, … */
export function certificateRefusal(reason: CertificateRefusal): string {
  const pascal = reason
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
  return fieldMessage(`certificate${pascal}`, CERTIFICATE_REFUSAL_TEXTS[reason]);
}
