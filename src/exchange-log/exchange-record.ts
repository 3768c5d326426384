/**
 * The stored exchange record: its fields, their columns, and the conversions between the two.
 * One table of fields drives the row mapping, the canonical hash encoding, the export columns and
 * the offline verifier, so none of them can forget a field.
 */

/** One exchange as stored in the log: the transport's fields, normalised, plus chain data. */
export interface ExchangeRecord {
  seq: number;
  direction: 'in' | 'out';
  transport: 'soap' | 'xroad-rest' | 'rest';
  requestInTs: number;
  requestOutTs: number | null;
  responseInTs: number | null;
  responseOutTs: number;
  client: string;
  service: string;
  serviceCode: string;
  serviceVersion: string | null;
  messageId: string;
  userId: string | null;
  issue: string | null;
  representedParty: string | null;
  protocolVersion: string | null;
  requestSize: number;
  responseSize: number;
  requestAttachmentCount: number;
  responseAttachmentCount: number;
  succeeded: boolean;
  faultCode: string | null;
  faultString: string | null;
  statusCode: number;
  /** responseOutTs − requestInTs, ms. */
  durationMs: number;
  /** Hex SHA-256 of the exact request/response bytes; null when the transport gave none. */
  requestSha256: string | null;
  responseSha256: string | null;
  /** Whether the bytes themselves were stored (exchangeLog.bodies = full). */
  bodiesStored: boolean;
  /** Canonical subject list, `kind:value` sorted and joined by ",", e.g. "inn:01001202210023". */
  subjects: string;
  requestId: string | null;
  operationKind: 'read' | 'write' | null;
  /** When the log wrote the record (ms since epoch). */
  loggedAt: number;
  prevHash: string;
  hash: string;
}

/** The fields covered by the hash, in their canonical order (everything stored but seq and hash). */
export type HashedFields = Omit<ExchangeRecord, 'seq' | 'hash' | 'prevHash'>;

type FieldType = 'int' | 'int?' | 'str' | 'str?' | 'bool';

/** Field → column and type, in canonical order. Changing this order changes every hash: append only, with a new version. */
export const EXCHANGE_FIELDS: ReadonlyArray<readonly [keyof HashedFields, string, FieldType]> = [
  ['direction', 'direction', 'str'],
  ['transport', 'transport', 'str'],
  ['requestInTs', 'request_in_ts', 'int'],
  ['requestOutTs', 'request_out_ts', 'int?'],
  ['responseInTs', 'response_in_ts', 'int?'],
  ['responseOutTs', 'response_out_ts', 'int'],
  ['client', 'client', 'str'],
  ['service', 'service', 'str'],
  ['serviceCode', 'service_code', 'str'],
  ['serviceVersion', 'service_version', 'str?'],
  ['messageId', 'message_id', 'str'],
  ['userId', 'user_id', 'str?'],
  ['issue', 'issue', 'str?'],
  ['representedParty', 'represented_party', 'str?'],
  ['protocolVersion', 'protocol_version', 'str?'],
  ['requestSize', 'request_size', 'int'],
  ['responseSize', 'response_size', 'int'],
  ['requestAttachmentCount', 'request_attachment_count', 'int'],
  ['responseAttachmentCount', 'response_attachment_count', 'int'],
  ['succeeded', 'succeeded', 'bool'],
  ['faultCode', 'fault_code', 'str?'],
  ['faultString', 'fault_string', 'str?'],
  ['statusCode', 'status_code', 'int'],
  ['durationMs', 'duration_ms', 'int'],
  ['requestSha256', 'request_sha256', 'str?'],
  ['responseSha256', 'response_sha256', 'str?'],
  ['bodiesStored', 'bodies_stored', 'bool'],
  ['subjects', 'subjects', 'str'],
  ['requestId', 'request_id', 'str?'],
  ['operationKind', 'operation_kind', 'str?'],
  ['loggedAt', 'logged_at', 'int'],
];

export const RECORDS_TABLE = 'exchange_records';
export const BODIES_TABLE = 'exchange_bodies';
export const SUBJECTS_TABLE = 'exchange_subjects';
export const HEAD_TABLE = 'exchange_chain_head';
export const CHECKPOINTS_TABLE = 'exchange_checkpoints';
export const BODY_READS_TABLE = 'exchange_body_reads';

/** Every column of exchange_records, for explicit selects. */
export const RECORD_COLUMNS: readonly string[] = ['seq', ...EXCHANGE_FIELDS.map((f) => f[1]), 'prev_hash', 'hash'];

export type Row = Record<string, unknown>;

/** A database integer (PostgreSQL returns bigint as text) as a number. */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

function fromColumn(v: unknown, type: FieldType): unknown {
  switch (type) {
    case 'int':
      return num(v);
    case 'int?':
      return v === null || v === undefined ? null : num(v);
    case 'bool':
      // SQLite stores booleans as 0/1.
      return v === true || v === 1 || v === '1' || v === 't';
    case 'str':
      return String(v);
    case 'str?':
      return v === null || v === undefined ? null : String(v);
  }
}

/** A row of exchange_records as an ExchangeRecord. */
export function recordFromRow(row: Row): ExchangeRecord {
  const out: Record<string, unknown> = { seq: num(row.seq) };
  for (const [field, column, type] of EXCHANGE_FIELDS) out[field] = fromColumn(row[column], type);
  out.prevHash = String(row.prev_hash);
  out.hash = String(row.hash);
  return out as unknown as ExchangeRecord;
}

/** An ExchangeRecord as a row of exchange_records. */
export function recordToRow(rec: ExchangeRecord): Row {
  const row: Row = { seq: rec.seq };
  for (const [field, column] of EXCHANGE_FIELDS) row[column] = rec[field];
  row.prev_hash = rec.prevHash;
  row.hash = rec.hash;
  return row;
}

/** Parses the canonical subject list back into pairs. */
export function parseSubjects(subjects: string): Array<{ kind: string; value: string }> {
  if (!subjects) return [];
  return subjects.split(',').map((s) => {
    const i = s.indexOf(':');
    return { kind: s.slice(0, i), value: s.slice(i + 1) };
  });
}
