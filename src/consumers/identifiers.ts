import type { FieldError } from '../errors/app-error.js';

/** INN (TIN) of an organisation: 14 digits (DOMAIN: Identifiers). */
export function isInn(value: string): boolean {
  return /^\d{14}$/.test(value);
}

/**
 * PIN of a person: 14 digits, 1 (female) or 2 (male), the birth date DDMMYYYY, then 5 digits
 * (DOMAIN: Identifiers). The date must exist.
 */
export function isPin(value: string): boolean {
  const m = /^[12](\d{2})(\d{2})(\d{4})\d{5}$/.exec(value);
  if (!m) return false;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export function innError(field: string): FieldError {
  return {
    field,
    reason: 'INN_FORMAT',
    message: {
      ky: 'ИНН 14 сандан турушу керек.',
      ru: 'ИНН должен состоять из 14 цифр.',
      en: 'The INN must consist of 14 digits.',
    },
  };
}

export function pinError(field: string): FieldError {
  return {
    field,
    reason: 'PIN_FORMAT',
    message: {
      ky: 'ПИН 14 сандан турушу керек: 1 же 2, туулган күнү (ККААЖЖЖЖ), андан кийин 5 сан.',
      ru: 'ПИН должен состоять из 14 цифр: 1 или 2, дата рождения (ДДММГГГГ), затем 5 цифр.',
      en: 'The PIN must consist of 14 digits: 1 or 2, the birth date (DDMMYYYY), then 5 digits.',
    },
  };
}
