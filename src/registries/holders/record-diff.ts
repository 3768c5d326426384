/** One changed leaf of a document: its dotted path and the old and new values (absent = did not exist). */
export interface Change {
  path: string;
  before?: unknown;
  after?: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The differences between two JSON documents: objects are compared key by key (sorted, so the
 * result is stable), an object that appears or disappears leaf by leaf; arrays and scalars as
 * whole values, since a list item has no identity of its own here.
 */
export function diffDocuments(before: unknown, after: unknown, path = ''): Change[] {
  const b = before === undefined && isPlainObject(after) ? {} : before;
  const a = after === undefined && isPlainObject(before) ? {} : after;
  if (isPlainObject(b) && isPlainObject(a)) {
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    return keys.flatMap((k) => diffDocuments(b[k], a[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const c: Change = { path };
  if (before !== undefined) c.before = before;
  if (after !== undefined) c.after = after;
  return [c];
}
