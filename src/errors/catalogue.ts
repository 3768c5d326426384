import type { Text } from '../i18n/messages.js';

/**
 * The catalogue of stable error codes (CONTRACT §4). Every code has a SOAP faultcode,
 * an HTTP status for the JSON transports, and a message in ky, ru and en.
 * A test checks that every code here is documented in README and used consistently.
 */
export interface ErrorSpec {
  faultCode: string;
  httpStatus: number;
  message: Text;
}

const spec = (faultCode: string, httpStatus: number, en: string, ru: string, ky: string): ErrorSpec => ({
  faultCode,
  httpStatus,
  message: { ky, ru, en },
});

export const ERRORS = {
  INVALID_XML: spec('Client.InvalidXml', 400, 'The message is not well-formed or exceeds the allowed limits.', 'Сообщение не является корректным XML или превышает допустимые ограничения.', 'Билдирүү туура эмес XML же уруксат берилген чектерден ашат.'),
  INVALID_HEADER: spec('Client.InvalidHeader', 400, 'An X-Road header is missing or invalid.', 'Заголовок X-Road отсутствует или неверен.', 'X-Road аталышы жок же туура эмес.'),
  INVALID_SIGNATURE: spec('Client.InvalidSignature', 401, 'The message signature is missing, invalid or does not cover the required parts.', 'Подпись сообщения отсутствует, неверна или не охватывает обязательные части.', 'Билдирүүнүн колтамгасы жок, туура эмес же милдеттүү бөлүктөрдү камтыбайт.'),
  UNTRUSTED_CERTIFICATE: spec('Client.InvalidSignature', 401, 'The signing certificate is not trusted for this client.', 'Сертификат подписи не является доверенным для этого клиента.', 'Колтамга сертификаты бул кардар үчүн ишенимдүү эмес.'),
  MESSAGE_EXPIRED: spec('Client.MessageExpired', 401, 'The message timestamp is outside the allowed window.', 'Метка времени сообщения вне допустимого окна.', 'Билдирүүнүн убакыт белгиси уруксат берилген аралыктан тышкары.'),
  DUPLICATE_MESSAGE_ID: spec('Client.DuplicateMessageId', 409, 'This message id was already used with a different body.', 'Этот идентификатор сообщения уже использован с другим содержимым.', 'Бул билдирүү идентификатору башка мазмун менен колдонулган.'),
  MESSAGE_IN_PROGRESS: spec('Server.MessageInProgress', 409, 'A request with this message id is still being processed. Retry later with the same id.', 'Запрос с этим идентификатором сообщения ещё обрабатывается. Повторите позже с тем же идентификатором.', 'Бул билдирүү идентификатору менен суроо-талап али иштетилүүдө. Кийинчерээк ошол эле идентификатор менен кайталаңыз.'),
  ACCESS_DENIED: spec('Client.AccessDenied', 403, 'The client is not allowed to call this operation.', 'Клиенту не разрешено вызывать эту операцию.', 'Кардарга бул операцияны чакырууга уруксат жок.'),
  UNAUTHENTICATED: spec('Client.AccessDenied', 401, 'Authentication is required.', 'Требуется аутентификация.', 'Аутентификация талап кылынат.'),
  UNKNOWN_SERVICE: spec('Client.UnknownService', 404, 'The requested service is not provided here.', 'Запрошенная услуга здесь не предоставляется.', 'Суралган кызмат бул жерде көрсөтүлбөйт.'),
  VALIDATION_FAILED: spec('Client.ValidationFailed', 422, 'The request contains invalid fields.', 'Запрос содержит неверные поля.', 'Суроо-талапта туура эмес талаалар бар.'),
  NOT_FOUND: spec('Client.NotFound', 404, 'The requested record was not found.', 'Запрошенная запись не найдена.', 'Суралган жазуу табылган жок.'),
  INVALID_STATE: spec('Client.InvalidState', 409, 'The operation is not allowed in the current state.', 'Операция не допускается в текущем состоянии.', 'Операция учурдагы абалда уруксат берилбейт.'),
  NOT_AUTHORIZED_FOR_ORGANISATION: spec('Client.AccessDenied', 403, 'The user may not act for this organisation: no valid organisation certificate.', 'Пользователь не может действовать от имени этой организации: нет действующего сертификата организации.', 'Колдонуучу бул уюмдун атынан иш алып бара албайт: уюмдун жарактуу сертификаты жок.'),
  UPSTREAM_UNAVAILABLE: spec('Server.UpstreamUnavailable', 503, 'A service this operation depends on is unavailable. Try again later.', 'Сервис, от которого зависит операция, недоступен. Повторите позже.', 'Бул операция көз каранды болгон кызмат жеткиликсиз. Кийинчерээк кайталаңыз.'),
  UPSTREAM_FAULT: spec('Server.UpstreamFault', 502, 'A service this operation depends on returned an error.', 'Сервис, от которого зависит операция, вернул ошибку.', 'Бул операция көз каранды болгон кызмат ката кайтарды.'),
  UPSTREAM_INVALID_RESPONSE: spec('Server.UpstreamInvalidResponse', 502, 'A service this operation depends on sent an unreadable or mismatched answer.', 'Сервис, от которого зависит операция, прислал нечитаемый или несоответствующий ответ.', 'Бул операция көз каранды болгон кызмат окулбаган же дал келбеген жооп жөнөттү.'),
  UPSTREAM_INVALID_SIGNATURE: spec('Server.UpstreamInvalidSignature', 502, 'The answer of a service this operation depends on is not validly signed by that service.', 'Ответ сервиса, от которого зависит операция, не подписан этим сервисом надлежащим образом.', 'Бул операция көз каранды болгон кызматтын жообуна ал кызмат тийиштүү түрдө кол койгон эмес.'),
  UNSUPPORTED_MEDIA_TYPE: spec('Client.InvalidXml', 415, 'Unsupported content type.', 'Неподдерживаемый тип содержимого.', 'Колдоого алынбаган мазмун түрү.'),
  PAYLOAD_TOO_LARGE: spec('Client.InvalidXml', 413, 'The message is too large.', 'Сообщение слишком большое.', 'Билдирүү өтө чоң.'),
  EXCHANGE_LOG_UNAVAILABLE: spec('Server.InternalError', 503, 'The exchange log cannot record exchanges at the moment. Try again later.', 'Журнал обмена сейчас не может записывать обмены. Повторите позже.', 'Алмашуу журналы азыр алмашууларды жаза албайт. Кийинчерээк кайталаңыз.'),
  NOT_GRANTED_EMPLOYEE: spec('Client.AccessDenied', 403, 'Only the employee granted input rights for this element may submit its data.', 'Вносить сведения об элементе может только сотрудник, которому предоставлено право ввода.', 'Элемент жөнүндө маалыматтарды киргизүү укугу берилген кызматкер гана киргизе алат.'),
  ATTACHMENT_INTEGRITY: spec('Server.InternalError', 500, 'A stored file failed its integrity check and is not served. The incident has been logged.', 'Сохраненный файл не прошел проверку целостности и не выдается. Инцидент зарегистрирован.', 'Сакталган файл бүтүндүк текшерүүсүнөн өткөн жок жана берилбейт. Окуя катталды.'),
  INTERNAL: spec('Server.InternalError', 500, 'An internal error occurred. The incident has been logged.', 'Произошла внутренняя ошибка. Инцидент зарегистрирован.', 'Ички ката кетти. Окуя катталды.'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;
