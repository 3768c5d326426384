// xsd:dateTime with a mandatory zone: WS-Security utility timestamps are compared across hosts,
// so a local time without an offset would be ambiguous and is refused.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/** Parses an xsd:dateTime with zone into epoch milliseconds; undefined when not one. */
export function parseXsdDateTime(s: string): number | undefined {
  const m = DATE_TIME.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, sec, m[7] ? Math.floor(Number(m[7]) * 1000) : 0);
  // Date.UTC rolls 31 February over into March; refuse instead.
  if (new Date(t).getUTCDate() !== d) return undefined;
  if (m[8] === 'Z') return t;
  const offH = Number(m[9]);
  const offM = Number(m[10]);
  if (offH > 14 || offM > 59) return undefined;
  const off = (offH * 60 + offM) * 60_000;
  return m[8].startsWith('+') ? t - off : t + off;
}

/** UTC with milliseconds, the form WSS4J and xml-crypto users expect. */
export function formatXsdDateTime(d: Date): string {
  return d.toISOString();
}
