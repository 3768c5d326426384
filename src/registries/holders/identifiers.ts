/**
 * Identifier and contact formats (DOMAIN "Identifiers"). INN of an organisation: 14 digits, a
 * first digit, the registration date DDMMYYYY, 5 digits — 0 for legal entities; 1 or 2 when the
 * holder is an individual, whose INN is the PIN. PIN of a person: 1 (female) or 2 (male), the
 * birth date DDMMYYYY, 5 digits.
 */

function plausibleDate(ddmmyyyy: string, now: Date): boolean {
  const dd = Number(ddmmyyyy.slice(0, 2));
  const mm = Number(ddmmyyyy.slice(2, 4));
  const yyyy = Number(ddmmyyyy.slice(4, 8));
  if (yyyy < 1900 || mm < 1 || mm > 12 || dd < 1) return false;
  const t = Date.UTC(yyyy, mm - 1, dd);
  const d = new Date(t);
  if (d.getUTCDate() !== dd || d.getUTCMonth() !== mm - 1) return false;
  // A day of slack for time zones: Bishkek is ahead of UTC.
  return t <= now.getTime() + 86_400_000;
}

export function isPlausibleInn(value: string, now: Date = new Date()): boolean {
  return /^[012]\d{13}$/.test(value) && plausibleDate(value.slice(1, 9), now);
}

export function isPlausiblePin(value: string, now: Date = new Date()): boolean {
  return /^[12]\d{13}$/.test(value) && plausibleDate(value.slice(1, 9), now);
}

export const OKPO_PATTERN = /^\d{8}$/;

/**
 * Kyrgyz phone or fax: national 0 + 9 digits (0771557772, 0312 62 12 34) or international
 * +996 / 996 + 9 digits, with spaces, hyphens or brackets between digits.
 */
export const PHONE_PATTERN = /^(?:\+?996|0)(?:[ ()-]*\d){9}$/;

/** A practical e-mail check: one @, a dot-separated domain with a 2+ letter TLD, no spaces. */
export const EMAIL_PATTERN = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/;

/** Registration number as the seed prints it without the "#": 2-00001. */
export function formatRegistrationNumber(seq: number): string {
  return `2-${String(seq).padStart(5, '0')}`;
}
