import type { AppError } from '../errors/app-error.js';
import { LANGS, type Text } from '../i18n/messages.js';
import { NS } from './namespaces.js';
import { escapeAttr, escapeText } from './xml/writer.js';

/** Namespace of the fault detail (stable code, fields, messages); described in the WSDL's types. */
export const FAULT_DETAIL_NS = 'urn:kg:tunduk:registry-adapter:fault:v1';

/**
 * The SOAP 1.1 Fault for an error (CONTRACT §4): `faultcode` is the catalogue's code exactly
 * (unprefixed, as X-Road security servers write theirs, e.g. `Client.InvalidSignature`),
 * `faultstring` in English, and `detail` with the stable code, the offending fields and the
 * message in ky, ru and en. Built only from the catalogue and field errors: no exception text,
 * stack, SQL or input value can reach it.
 */
export function faultBodyXml(err: AppError, requestId?: string): string {
  const p = 'f';
  const messages = (t: Text): string => LANGS.map((l) => `<${p}:message xml:lang="${l}">${escapeText(t[l])}</${p}:message>`).join('');
  const fields = err.fields
    .map((f) => `<${p}:field><${p}:name>${escapeText(f.field)}</${p}:name><${p}:reason>${escapeText(f.reason)}</${p}:reason>${messages(f.message)}</${p}:field>`)
    .join('');
  return (
    `<SOAP-ENV:Fault xmlns:SOAP-ENV="${NS.soapenv}">` +
    `<faultcode>${escapeText(err.faultCode)}</faultcode>` +
    `<faultstring xml:lang="en">${escapeText(err.text.en)}</faultstring>` +
    `<detail><${p}:error xmlns:${p}="${escapeAttr(FAULT_DETAIL_NS)}">` +
    `<${p}:code>${escapeText(err.code)}</${p}:code>` +
    `<${p}:faultCode>${escapeText(err.faultCode)}</${p}:faultCode>` +
    messages(err.text) +
    (fields ? `<${p}:fields>${fields}</${p}:fields>` : '') +
    (requestId ? `<${p}:requestId>${escapeText(requestId)}</${p}:requestId>` : '') +
    `</${p}:error></detail></SOAP-ENV:Fault>`
  );
}
