import type { Text } from '../../i18n/messages.js';

/**
 * The fixed vocabularies of the Rules for keeping the registry of the state e-governance
 * infrastructure (seed 004). Kyrgyz texts are the Rules' own wording; Russian and English are
 * translations made for the adapter.
 */

/** Element types, annex to the Rules, item 1; each element has exactly one (annex, item 2). */
export const ELEMENT_TYPES = ['INFORMATION_SYSTEM', 'AUTOMATION_SOFTWARE', 'DATA_CENTRE', 'SHARED_COMPLEX'] as const;
export type ElementType = (typeof ELEMENT_TYPES)[number];

export const ELEMENT_TYPE_TEXT: Record<ElementType, Text> = {
  INFORMATION_SYSTEM: {
    ky: 'мамлекеттик жана муниципалдык кызмат көрсөтүүдө автоматташтыруу же маалыматтык колдоо жана конкреттүү мамлекеттик органдын же болбосо жергиликтүү өз алдынча башкаруу органынын ыйгарым укуктарынын алкагында Кыргыз Республикасынын мыйзамдарында каралган мамлекеттик функцияларды аткаруу үчүн багытталган маалыматтык система',
    ru: 'информационная система, предназначенная для автоматизации или информационной поддержки оказания государственных и муниципальных услуг и исполнения государственных функций, предусмотренных законодательством Кыргызской Республики в рамках полномочий конкретного государственного органа либо органа местного самоуправления',
    en: 'information system automating or supporting state and municipal services and the state functions that the laws of the Kyrgyz Republic assign to a particular state body or local self-government body',
  },
  AUTOMATION_SOFTWARE: {
    ky: 'мамлекеттик органдар жана жергиликтүү өз алдынча башкаруу органдары тарабынан ченемдик укуктук актыларда каралган ыйгарым укуктарын аткаруунун алкагында алардын ишин камсыздоо үчүн автоматташтырууга багытталган программалык камсыздоо (документ жүгүртүү, персоналдарды башкаруу, финансыларды, маалыматтык базаларды башкаруу)',
    ru: 'программное обеспечение, предназначенное для автоматизации деятельности государственных органов и органов местного самоуправления в рамках полномочий, предусмотренных нормативными правовыми актами (документооборот, управление персоналом, финансами, базами данных)',
    en: 'software automating the work of state and local self-government bodies within the powers that legal acts give them (document flow, human resources, finance, database management)',
  },
  DATA_CENTRE: {
    ky: 'маалыматты иштеп чыгуу борбору – технологиялык жана аймактык обочолонгон сервердик комплекстер, анын ичинде тейлөөчү персоналга арналган жумушчу станциялар, серверлердин иштешин камсыз кылган технологиялык жабдуу (мамылар, үзгүлтүксүз кубаттандыруу булактары, коммутациялык жабдуу жана кабелдик системалар)',
    ru: 'центр обработки данных – технологически и территориально обособленные серверные комплексы, включая рабочие станции обслуживающего персонала и технологическое оборудование, обеспечивающее работу серверов (стойки, источники бесперебойного питания, коммутационное оборудование и кабельные системы)',
    en: 'data processing centre: technologically and territorially separate server complexes, including staff workstations and the equipment servers run on (racks, uninterruptible power supplies, switching equipment and cabling)',
  },
  SHARED_COMPLEX: {
    ky: 'программалык-техникалык комплекстер жана жалпы технологиялык функцияларды аткарган каражаттар жана (же) биргелешип пайдаланылган маалыматтык системалар (колдонуучунун түздөн-түз иштеши үчүн арналган эсептөө техникасынын каражаттары)',
    ru: 'программно-технические комплексы и средства, выполняющие общие технологические функции, и (или) информационные системы совместного использования (средства вычислительной техники для непосредственной работы пользователя)',
    en: 'software-hardware complexes and means performing general technological functions and/or shared-use information systems (computing equipment for the direct work of users)',
  },
};

/** The 17 items an authorized employee enters (Rules §20), numbered as in the Rules. */
export const ITEM_NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17] as const;
export type ItemNumber = (typeof ITEM_NUMBERS)[number];

export const ITEM_TEXT: Record<ItemNumber, Text> = {
  1: {
    ky: 'инфратүзүмдүн элементинин толук жана кыскача аталышы',
    ru: 'полное и краткое наименование элемента инфраструктуры',
    en: 'full and short name of the infrastructure element',
  },
  2: {
    ky: 'инфратүзүмдүн элементинин тиби ушул Эрежелердин тиркемесине ылайык',
    ru: 'тип элемента инфраструктуры согласно приложению к настоящим Правилам',
    en: 'type of the infrastructure element per the annex to these Rules',
  },
  3: {
    ky: 'инфратүзүмдүн элементинин ээси анын оператору болбогон учурда инфратүзүмдүн элементинин оператору жөнүндө маалымат',
    ru: 'сведения об операторе элемента инфраструктуры, если его собственник не является оператором',
    en: 'the operator of the infrastructure element, where the owner is not its operator',
  },
  4: {
    ky: 'инфратүзүмдүн элементинин максаты, багыты, негизги функциялары жана пайдалануу жааты',
    ru: 'цель, направление, основные функции и область применения элемента инфраструктуры',
    en: 'purpose, direction, main functions and area of use of the infrastructure element',
  },
  5: {
    ky: 'инфратүзүмдүн элементин түзүү, өзгөртүү жана эксплуатациялоого берүүнү жөнгө салган ченемдик укуктук акттардын реквизиттери',
    ru: 'реквизиты нормативных правовых актов, регулирующих создание, изменение и ввод в эксплуатацию элемента инфраструктуры',
    en: 'requisites of the legal acts governing the creation, change and commissioning of the infrastructure element',
  },
  6: {
    ky: 'инфратүзүмдүн элементин эксплуатациялоого жооптуу түзүмдүк бөлүм жана кызмат адамдары жөнүндө маалымат',
    ru: 'сведения о структурном подразделении и должностных лицах, ответственных за эксплуатацию элемента инфраструктуры',
    en: 'the structural unit and officials responsible for operating the infrastructure element',
  },
  7: {
    ky: 'инфратүзүмдүн элементинин архитектурасы жөнүндө маалымат',
    ru: 'сведения об архитектуре элемента инфраструктуры',
    en: 'architecture of the infrastructure element',
  },
  8: {
    ky: 'инфратүзүмдүн элементинин иштеши үчүн пайдаланылган программалык камсыздоонун тизмеси',
    ru: 'перечень программного обеспечения, используемого для функционирования элемента инфраструктуры',
    en: 'list of the software the infrastructure element runs on',
  },
  9: {
    ky: 'инфратүзүмдүн элементинин курамына кирген маалыматтык ресурстардын толук аталыштарынын тизмеси',
    ru: 'перечень полных наименований информационных ресурсов, входящих в состав элемента инфраструктуры',
    en: 'full names of the information resources the infrastructure element contains',
  },
  10: {
    ky: 'инфратүзүмдүн элементи менен өз ара аракеттенген маалыматтык системалардын ресурстарынын толук аталыштарынын тизмеси',
    ru: 'перечень полных наименований ресурсов информационных систем, взаимодействующих с элементом инфраструктуры',
    en: 'full names of the resources of the information systems that interact with the infrastructure element',
  },
  11: {
    ky: 'инфратүзүмдүн элементи берген маалыматтык кызмат көрсөтүүлөрдүн тизмеси',
    ru: 'перечень информационных услуг, предоставляемых элементом инфраструктуры',
    en: 'list of the information services the infrastructure element provides',
  },
  12: {
    ky: 'инфратүзүмдүн элементинин техникалык документтери, кагаздагы документтин электрондук түрү тиркелет',
    ru: 'техническая документация элемента инфраструктуры (прилагается электронная копия бумажного документа)',
    en: 'technical documentation of the infrastructure element (electronic copy of the paper document attached)',
  },
  13: {
    ky: 'инфратүзүмдүн элементи, жайгашкан орду жана аны сактоого жана актуалдаштырууга жооптуу жак жөнүндө маалымат',
    ru: 'сведения о местонахождении элемента инфраструктуры и лице, ответственном за его хранение и актуализацию',
    en: 'location of the infrastructure element and who is responsible for keeping it and keeping it up to date',
  },
  14: {
    ky: 'инфратүзүмдүн элементин иштеп чыгуучу (берүүчү) жөнүндө маалымат',
    ru: 'сведения о разработчике (поставщике) элемента инфраструктуры',
    en: 'developer (supplier) of the infrastructure element',
  },
  15: {
    ky: 'инфратүзүмдүн элементин колдонуучулардын саны жөнүндө маалымат',
    ru: 'сведения о количестве пользователей элемента инфраструктуры',
    en: 'number of users of the infrastructure element',
  },
  16: {
    ky: 'инфратүзүмдүн элементин каржылоо булагы жөнүндө маалымат',
    ru: 'сведения об источнике финансирования элемента инфраструктуры',
    en: 'funding source of the infrastructure element',
  },
  17: {
    ky: 'инфратүзүмдүн элементин эксплуатациялоого берүү жөнүндө акт',
    ru: 'акт о вводе элемента инфраструктуры в эксплуатацию',
    en: 'act of commissioning of the infrastructure element',
  },
};

/** The only two grounds on which registration may be refused (Rules §23). */
export const REFUSAL_GROUNDS = ['UNAUTHORIZED_SUBMITTER', 'INCOMPLETE_DATA'] as const;
export type RefusalGround = (typeof REFUSAL_GROUNDS)[number];

export const REFUSAL_GROUND_TEXT: Record<RefusalGround, Text> = {
  UNAUTHORIZED_SUBMITTER: {
    ky: 'маалыматтар Реестрдин операторуна укукка ээ болбогон жак (эсепке алуу субъектинин ыйгарым укуктуу өкүлү болбогон жак) тарабынан берилсе',
    ru: 'сведения представлены оператору Реестра лицом, не имеющим на это права (не являющимся уполномоченным представителем субъекта учета)',
    en: 'the data was given to the registry operator by a person without the right to do so (not the accounting subject’s authorized representative)',
  },
  INCOMPLETE_DATA: {
    ky: 'ушул Эреженин 20-пунктуна ылайык билдирүүдөгү маалыматтар толук болбосо',
    ru: 'сведения в уведомлении неполны согласно пункту 20 настоящих Правил',
    en: 'the data in the notification is incomplete under §20 of these Rules',
  },
};

/** Funding source kinds for item 16; OTHER needs a description. */
export const FUNDING_KINDS = ['REPUBLICAN_BUDGET', 'LOCAL_BUDGET', 'INTERNATIONAL_DONOR', 'OWN_FUNDS', 'OTHER'] as const;
export type FundingKind = (typeof FUNDING_KINDS)[number];

export const FUNDING_KIND_TEXT: Record<FundingKind, Text> = {
  REPUBLICAN_BUDGET: { ky: 'республикалык бюджет', ru: 'республиканский бюджет', en: 'republican budget' },
  LOCAL_BUDGET: { ky: 'жергиликтүү бюджет', ru: 'местный бюджет', en: 'local budget' },
  INTERNATIONAL_DONOR: { ky: 'эл аралык донорлордун каражаттары (гранттар, кредиттер)', ru: 'средства международных доноров (гранты, кредиты)', en: 'international donors (grants, loans)' },
  OWN_FUNDS: { ky: 'өз каражаттары', ru: 'собственные средства', en: 'own funds' },
  OTHER: { ky: 'башка булак', ru: 'иной источник', en: 'other source' },
};

/** What a legal act of item 5 did to the element. */
export const LEGAL_ACT_ROLES = ['CREATION', 'CHANGE', 'COMMISSIONING'] as const;
export type LegalActRole = (typeof LEGAL_ACT_ROLES)[number];

/** Life-cycle states (Rules §17–32); the transitions between them live in infra-state-machine.ts. */
export const INFRA_STATUSES = [
  'NOTICE_SUBMITTED',
  'FORWARDED',
  'ACCESS_GRANTED',
  'DATA_SUBMITTED',
  'REGISTERED',
  'REFUSED',
  'DEREGISTRATION_REQUESTED',
  'DEREGISTERED',
] as const;
export type InfraStatus = (typeof INFRA_STATUSES)[number];

export const STATUS_TEXT: Record<InfraStatus, Text> = {
  NOTICE_SUBMITTED: { ky: 'билдирүү ыйгарым укуктуу органга берилди', ru: 'уведомление подано в уполномоченный орган', en: 'notice submitted to the authorized body' },
  FORWARDED: { ky: 'билдирүү Реестрдин операторуна жиберилди', ru: 'уведомление направлено оператору Реестра', en: 'notice forwarded to the registry operator' },
  ACCESS_GRANTED: { ky: 'маалыматтарды киргизүү укугу берилди', ru: 'право ввода сведений предоставлено', en: 'input access granted' },
  DATA_SUBMITTED: { ky: 'маалыматтар киргизилди, карап чыгууда', ru: 'сведения внесены, на рассмотрении', en: 'data submitted, under review' },
  REGISTERED: { ky: 'Реестрге катталды', ru: 'зарегистрирован в Реестре', en: 'registered' },
  REFUSED: { ky: 'каттоодон баш тартылды', ru: 'в регистрации отказано', en: 'registration refused' },
  DEREGISTRATION_REQUESTED: { ky: 'Реестрден чыгаруу жөнүндө билдирүү берилди', ru: 'подано уведомление об исключении из Реестра', en: 'deregistration notice submitted' },
  DEREGISTERED: { ky: 'Реестрден чыгарылды', ru: 'исключен из Реестра', en: 'deregistered' },
};
