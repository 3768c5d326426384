import type { Text } from '../../i18n/messages.js';

/**
 * The fixed vocabularies of the registry (seed 000 §3.2.5, §3.2.6, §3.2.7, §3.3.1, §3.3.2): stable
 * codes for the wire and the store, labels in ky (the seed's own checkbox labels), ru and en.
 * Exported for the WSDL, OpenAPI and the web UI.
 */
export interface VocabularyEntry<C extends string = string> {
  code: C;
  label: Text;
}

const t = (ky: string, ru: string, en: string): Text => ({ ky, ru, en });

export const NOTIFICATION_METHOD_CODES = ['WRITTEN_NOTICE', 'PUSH_NOTIFICATION', 'SMS', 'PHONE', 'EMAIL'] as const;
export type NotificationMethod = (typeof NOTIFICATION_METHOD_CODES)[number];

export const SECURITY_MEASURE_CODES = [
  'ANTIVIRUS',
  'SERVER_ROOM_ACCESS_LOG',
  'INFORMATION_SECURITY_POLICY',
  'BACKUP',
  'SERVER_ROOM_UPS',
  'ACCESS_CONTROL_SYSTEM',
  'FIREWALL',
] as const;
export type SecurityMeasure = (typeof SECURITY_MEASURE_CODES)[number];

export const PERSONAL_DATA_CODES = [
  'RESIDENTIAL_ADDRESS',
  'GEOLOCATION',
  'BIRTH_YEAR',
  'BIRTH_DATE',
  'INCOME',
  'PROPERTY_STATUS',
  'BIRTH_PLACE',
  'PHONE_NUMBER',
  'EDUCATION',
  'PASSPORT_DATA',
  'PROFESSION',
  'MARITAL_STATUS',
  'SOCIAL_STATUS',
  'COOKIES',
  'FULL_NAME',
  'EMAIL',
] as const;
export type PersonalDataItem = (typeof PERSONAL_DATA_CODES)[number];

export const SPECIAL_CATEGORY_CODES = ['NATIONALITY', 'RACE', 'HEALTH', 'POLITICAL_VIEWS', 'RELIGIOUS_BELIEFS', 'PHILOSOPHICAL_BELIEFS'] as const;
export type SpecialCategory = (typeof SPECIAL_CATEGORY_CODES)[number];

export const SUBJECT_CATEGORY_CODES = ['SUBSCRIBER', 'BORROWER', 'PASSENGER', 'DEPOSITOR', 'CUSTOMER', 'EMPLOYEE'] as const;
export type SubjectCategory = (typeof SUBJECT_CATEGORY_CODES)[number];

export const PROCESSOR_KIND_CODES = ['LEGAL_ENTITY', 'INDIVIDUAL', 'NONE'] as const;
export type ProcessorKind = (typeof PROCESSOR_KIND_CODES)[number];

export const APPLICATION_STATUS_CODES = ['DRAFT', 'REGISTERED', 'UNDER_REVIEW', 'APPROVED', 'REJECTED'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUS_CODES)[number];

export const REVIEW_DECISION_CODES = ['APPROVED', 'REJECTED'] as const;
export type ReviewDecision = (typeof REVIEW_DECISION_CODES)[number];

const NOTIFICATION_METHOD_LABELS: Record<NotificationMethod, Text> = {
  WRITTEN_NOTICE: t('Кат жүзүндөгү билдирүү', 'Письменное уведомление', 'Written notice'),
  PUSH_NOTIFICATION: t('Пуш-эскертме', 'Push-уведомление', 'Push notification'),
  SMS: t('СМС', 'SMS', 'SMS'),
  PHONE: t('Телефон', 'Телефон', 'Phone call'),
  EMAIL: t('Электрондук почта', 'Электронная почта', 'E-mail'),
};

const SECURITY_MEASURE_LABELS: Record<SecurityMeasure, Text> = {
  ANTIVIRUS: t('Антивирус', 'Антивирус', 'Antivirus'),
  SERVER_ROOM_ACCESS_LOG: t('Сервер белмөсүн колдонуунун каттоо журналы', 'Журнал учёта использования серверного помещения', 'Server room access log'),
  INFORMATION_SECURITY_POLICY: t('Маалыматтык коопсуздук саясаты', 'Политика информационной безопасности', 'Information security policy'),
  BACKUP: t('Резервдик көчүрмө', 'Резервное копирование', 'Backup'),
  SERVER_ROOM_UPS: t(
    'Сервердик белмөлөрдү үзгүлтүксүз электр менен камсыздоо системасы',
    'Система бесперебойного электропитания серверных помещений',
    'Uninterruptible power supply for server rooms',
  ),
  ACCESS_CONTROL_SYSTEM: t('Кирүүнү башкаруу системасы', 'Система контроля и управления доступом', 'Access control system'),
  FIREWALL: t('Файервол', 'Межсетевой экран (файервол)', 'Firewall'),
};

const PERSONAL_DATA_LABELS: Record<PersonalDataItem, Text> = {
  RESIDENTIAL_ADDRESS: t('жашаган дареги', 'адрес проживания', 'residential address'),
  GEOLOCATION: t('геолокация', 'геолокация', 'geolocation'),
  BIRTH_YEAR: t('туулган жылы', 'год рождения', 'year of birth'),
  BIRTH_DATE: t('туулган күнү', 'дата рождения', 'date of birth'),
  INCOME: t('кирешелери', 'доходы', 'income'),
  PROPERTY_STATUS: t('мүлк абалы', 'имущественное положение', 'property status'),
  BIRTH_PLACE: t('туулган жери', 'место рождения', 'place of birth'),
  PHONE_NUMBER: t('телефон номеру', 'номер телефона', 'phone number'),
  EDUCATION: t('билими', 'образование', 'education'),
  PASSPORT_DATA: t(
    'паспорттун маалыматтары (сериясы, номери, ким тарабынан жана качан берилген)',
    'паспортные данные (серия, номер, кем и когда выдан)',
    'passport data (series, number, issued by and when)',
  ),
  PROFESSION: t('кесиби', 'профессия', 'profession'),
  MARITAL_STATUS: t('үй-бүлөлүк абалы', 'семейное положение', 'marital status'),
  SOCIAL_STATUS: t('коомдук абалы', 'социальное положение', 'social status'),
  COOKIES: t('cookie файлдары', 'файлы cookie', 'cookie files'),
  FULL_NAME: t('фамилиясы, аты, атасынын аты', 'фамилия, имя, отчество', 'surname, name, patronymic'),
  EMAIL: t('электрондук почта', 'электронная почта', 'e-mail'),
};

const SPECIAL_CATEGORY_LABELS: Record<SpecialCategory, Text> = {
  NATIONALITY: t('улуту', 'национальность', 'nationality'),
  RACE: t('расасы', 'раса', 'race'),
  HEALTH: t('медициналык маалымат', 'медицинские данные', 'medical data'),
  POLITICAL_VIEWS: t('саясий көз караштар', 'политические взгляды', 'political views'),
  RELIGIOUS_BELIEFS: t('диний ишенимдер', 'религиозные убеждения', 'religious beliefs'),
  PHILOSOPHICAL_BELIEFS: t('философиялык ишенимдер', 'философские убеждения', 'philosophical beliefs'),
};

const SUBJECT_CATEGORY_LABELS: Record<SubjectCategory, Text> = {
  SUBSCRIBER: t('абонент', 'абонент', 'subscriber'),
  BORROWER: t('карыз алуучу', 'заёмщик', 'borrower'),
  PASSENGER: t('жүргүнчү', 'пассажир', 'passenger'),
  DEPOSITOR: t('салым кошуучу', 'вкладчик', 'depositor'),
  CUSTOMER: t('кардар', 'клиент', 'customer'),
  EMPLOYEE: t('кызматкер', 'работник', 'employee'),
};

const PROCESSOR_KIND_LABELS: Record<ProcessorKind, Text> = {
  LEGAL_ENTITY: t('Юридикалык жак', 'Юридическое лицо', 'Legal entity'),
  INDIVIDUAL: t('Жеке жак', 'Физическое лицо', 'Individual'),
  NONE: t('Иштеп чыгуучу жок', 'Обработчика нет', 'No processor'),
};

/** Status names; "Каралууда" and "Макулдашылды" are the seed's own (§4). */
export const STATUS_LABELS: Record<ApplicationStatus, Text> = {
  DRAFT: t('Долбоор', 'Черновик', 'Draft'),
  REGISTERED: t('Катталды', 'Зарегистрирован', 'Registered'),
  UNDER_REVIEW: t('Каралууда', 'На рассмотрении', 'Under review'),
  APPROVED: t('Макулдашылды', 'Согласовано', 'Approved'),
  REJECTED: t('Макулдашылган жок', 'Не согласовано', 'Rejected'),
};

function entries<C extends string>(codes: readonly C[], labels: Record<C, Text>): VocabularyEntry<C>[] {
  return codes.map((code) => ({ code, label: labels[code] }));
}

/** Every vocabulary as ordered lists, in the seed's order. */
export const VOCABULARIES = {
  notificationMethods: entries(NOTIFICATION_METHOD_CODES, NOTIFICATION_METHOD_LABELS),
  securityMeasures: entries(SECURITY_MEASURE_CODES, SECURITY_MEASURE_LABELS),
  personalData: entries(PERSONAL_DATA_CODES, PERSONAL_DATA_LABELS),
  specialCategories: entries(SPECIAL_CATEGORY_CODES, SPECIAL_CATEGORY_LABELS),
  subjectCategories: entries(SUBJECT_CATEGORY_CODES, SUBJECT_CATEGORY_LABELS),
  processorKinds: entries(PROCESSOR_KIND_CODES, PROCESSOR_KIND_LABELS),
  statuses: entries(APPLICATION_STATUS_CODES, STATUS_LABELS),
} as const;

export type VocabularyName = keyof typeof VOCABULARIES;
