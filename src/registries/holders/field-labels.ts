import type { Text } from '../../i18n/messages.js';

const t = (ky: string, ru: string, en: string): Text => ({ ky, ru, en });

const ADDRESS_PARTS = {
  region: t('Облус', 'Область', 'Region'),
  city: t('Шаар, айыл', 'Город, село', 'City, village'),
  district: t('Район', 'Район', 'District'),
  streetHouse: t('Көчө, үй №', 'Улица, № дома', 'Street, house no.'),
} as const;

export type AddressPart = keyof typeof ADDRESS_PARTS;
export const ADDRESS_PART_NAMES = Object.keys(ADDRESS_PARTS) as AddressPart[];

const LEGAL_ADDRESS = t('Кармоочунун дареги', 'Адрес держателя', "Holder's address");
const CURRENT_ADDRESS = t('Кармоочунун азыркы учурдагы дареги', 'Текущий адрес держателя', "Holder's current address");
const RESPONSIBLE = t(
  'Жеке маалыматтар менен иштөө үчүн түздөн-түз жооптуу адам',
  'Лицо, непосредственно ответственное за обработку персональных данных',
  'Person directly responsible for personal data processing',
);

const join = (a: Text, b: Text): Text => ({ ky: `${a.ky} — ${b.ky}`, ru: `${a.ru} — ${b.ru}`, en: `${a.en} — ${b.en}` });

function addressLabels(prefix: 'legalAddress' | 'currentAddress', whole: Text): Record<string, Text> {
  const out: Record<string, Text> = { [prefix]: whole };
  for (const p of ADDRESS_PART_NAMES) out[`${prefix}.${p}`] = join(whole, ADDRESS_PARTS[p]);
  return out;
}

/**
 * Labels of the form's fields by input path, the Kyrgyz ones as seed 000 prints them
 * (figures 8–19); used in field error messages and offered to UIs.
 */
export const FIELD_LABELS: Record<string, Text> = {
  inn: t('Уюмдун салык идентификациялык номери', 'ИНН организации', "Organisation's taxpayer number (INN)"),
  name: t('Кармоочунун аталышы', 'Наименование держателя', "Holder's name"),
  ...addressLabels('legalAddress', LEGAL_ADDRESS),
  ...addressLabels('currentAddress', CURRENT_ADDRESS),
  ownershipForm: t('Менчиктин түрү', 'Форма собственности', 'Form of ownership'),
  subordination: t('Баш ийгендиги', 'Подчинённость', 'Subordination'),
  head: t('Жетекчинин аты-жөнү', 'ФИО руководителя', "Head's full name"),
  okpo: t('ИУЖК коду', 'Код ОКПО', 'OKPO code'),
  email: t('Электрондук почта дареги (пикир билдирүү үчүн)', 'Адрес электронной почты (для обратной связи)', 'E-mail (for feedback)'),
  phone: t('Факс / Телефон', 'Факс / Телефон', 'Fax / Phone'),
  responsiblePerson: RESPONSIBLE,
  'responsiblePerson.fullName': join(RESPONSIBLE, t('Толук аты-жөнү', 'ФИО', 'Full name')),
  'responsiblePerson.email': join(RESPONSIBLE, t('Электрондук почта дареги', 'Адрес электронной почты', 'E-mail')),
  'responsiblePerson.phone': join(RESPONSIBLE, t('Телефон', 'Телефон', 'Phone')),

  arrayNames: t('Жеке маалыматтардын массивинин аталышы', 'Наименование массива персональных данных', 'Names of the personal data arrays'),
  processingEndConditions: t(
    'Жеке маалыматтарды иштетүүнү токтотуунун мөөнөтү же шарты',
    'Срок или условие прекращения обработки персональных данных',
    'Term or condition for ending the processing',
  ),
  recipients: t(
    'Маалыматтар өткөрүлүп берилиши мүмкүн болгон алуучулар же алуучулардын категориялары',
    'Получатели или категории получателей, которым могут быть переданы данные',
    'Recipients or categories of recipients',
  ),
  crossBorderTransfer: t(
    'Жеке маалыматтарды трансчекаралык өткөрүп берүү болжолдонууда',
    'Предполагается трансграничная передача персональных данных',
    'Cross-border transfer of personal data is planned',
  ),
  crossBorderTransfers: t('Трансчекаралык өткөрүп берүү', 'Трансграничная передача', 'Cross-border transfers'),
  'crossBorderTransfers.country': t('Өлкө', 'Страна', 'Country'),
  'crossBorderTransfers.recipientName': t('Үчүнчү тараптын аталышы', 'Наименование третьей стороны', "Third party's name"),
  'crossBorderTransfers.agreement': t(
    'Макулдашуунун, келишимдин реквизиттери',
    'Реквизиты соглашения, договора',
    'Requisites of the agreement or contract',
  ),
  notificationMethods: t(
    'Субъекттерге алардын жеке маалыматтарын чогултуу жана мүмкүн өткөрүп берүү жөнүндө маалымдоо тартиби',
    'Порядок информирования субъектов о сборе и возможной передаче их персональных данных',
    'How subjects are informed of the collection and possible transfer of their data',
  ),
  notificationMethodsOther: t('Бул тизмеге кирбеген башка билдирүү ыкмалары', 'Другие способы уведомления, не вошедшие в список', 'Other notification methods'),
  securityMeasures: t(
    'Жеке маалыматтардын сакталышын жана купуялуулугун камсыз кылуу боюнча чаралар',
    'Меры по обеспечению сохранности и конфиденциальности персональных данных',
    'Measures ensuring the safety and confidentiality of personal data',
  ),
  securityMeasuresOther: t(
    'Бул тизмеде көрсөтүлбөгөн жеке маалыматтардын сакталышын жана купуялуулугун камсыз кылуу боюнча башка ыкмалар',
    'Другие меры обеспечения сохранности и конфиденциальности, не указанные в списке',
    'Other safety and confidentiality measures',
  ),
  processorKind: t('Иштеп чыгуучу', 'Обработчик', 'Processor'),
  processor: t('Иштеп чыгуучу', 'Обработчик', 'Processor'),
  'processor.name': t('Иштеп чыгуучунун аталышы/аты-жөнү', 'Наименование / ФИО обработчика', "Processor's name"),
  'processor.contacts': t('Байланыш маалыматтары', 'Контактные данные', 'Contact details'),
  'processor.contractDetails': t('Келишимдин реквизиттери', 'Реквизиты договора', 'Contract requisites'),

  personalData: t('Чогултулган жеке маалыматтардын тизмеси', 'Перечень собираемых персональных данных', 'Personal data collected'),
  personalDataOther: t('Бул тизмеге кирбеген башка жеке маалыматтар', 'Другие персональные данные, не вошедшие в список', 'Other personal data'),
  specialCategories: t('Жеке маалыматтардын өзгөчө категориялары', 'Специальные категории персональных данных', 'Special categories of personal data'),
  specialCategoriesOther: t(
    'Бул тизмеге кирбеген жеке маалыматтардын башка атайын категориялары',
    'Другие специальные категории, не вошедшие в список',
    'Other special categories',
  ),
  subjectCategories: t(
    'Жеке маалымат субъектеринин категориялары же топтору',
    'Категории или группы субъектов персональных данных',
    'Categories or groups of data subjects',
  ),
  subjectCategoriesOther: t(
    'Бул тизмеде көрсөтүлбөгөн жеке маалыматтардын субъектеринин башка категориялары же топтору',
    'Другие категории или группы субъектов, не указанные в списке',
    'Other categories of data subjects',
  ),
  sources: t('Жеке маалыматтарды чогултуу булактары', 'Источники сбора персональных данных', 'Sources of the personal data'),
  purposes: t(
    'Жеке маалыматтарды чогултуунун жана пайдалануунун максаттары жана ыкмалары',
    'Цели и способы сбора и использования персональных данных',
    'Purposes and methods of collection and use',
  ),

  decision: t('Чечим', 'Решение', 'Decision'),
  comment: t('Агенттиктин комментарийи', 'Комментарий Агентства', "The Agency's comment"),
  status: t('Абалы', 'Статус', 'Status'),
  registeredFrom: t('Катталган күнү, баштап', 'Дата регистрации, с', 'Registered from'),
  registeredTo: t('Катталган күнү, чейин', 'Дата регистрации, по', 'Registered until'),
  cursor: t('Барак көрсөткүчү', 'Курсор страницы', 'Page cursor'),
  limit: t('Барактагы жазуулардын саны', 'Записей на странице', 'Records per page'),
};

export function labelOf(field: string): Text {
  const label = FIELD_LABELS[field];
  if (!label) throw new Error(`no label for field ${field}`);
  return label;
}
