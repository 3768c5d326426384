/**
 * A tolerant tag scanner for the fuzzer's structure-aware mutations. It is deliberately not the
 * adapter's parser (which is under test): it accepts whatever it is given, never throws, and
 * reports where each element's tags are, so that mutations can splice the source text.
 */

export interface Span {
  /** Qualified name as written. */
  name: string;
  /** Offset of '<' of the start tag. */
  start: number;
  /** Offset just after the start tag's '>'. */
  openEnd: number;
  /** Offset of '</' of the end tag (= openEnd for an empty-element tag or an unclosed element). */
  closeStart: number;
  /** Offset just after the end tag's '>' (= openEnd for an empty-element tag). */
  end: number;
  depth: number;
  /** Index of the parent span, -1 for a root. */
  parent: number;
  selfClosing: boolean;
}

export interface AttrSpan {
  name: string;
  /** Offsets of the whole ` name="value"` (leading whitespace included). */
  start: number;
  end: number;
  /** Offsets of the value between its quotes. */
  valueStart: number;
  valueEnd: number;
  value: string;
}

function skipTo(xml: string, from: number, marker: string): number {
  const i = xml.indexOf(marker, from);
  return i < 0 ? xml.length : i + marker.length;
}

/** End of a start tag (just after '>'), honouring quoted attribute values. */
function tagEnd(xml: string, from: number): number {
  let quote = '';
  for (let i = from; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i + 1;
  }
  return xml.length;
}

const NAME_END = /[\s/>]/;

/** Every element of the text, in document order (start-tag order). */
export function scanElements(xml: string): Span[] {
  const spans: Span[] = [];
  const stack: number[] = [];
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      i = skipTo(xml, lt + 4, '-->');
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      i = skipTo(xml, lt + 9, ']]>');
      continue;
    }
    if (xml.startsWith('<?', lt)) {
      i = skipTo(xml, lt + 2, '?>');
      continue;
    }
    if (xml.startsWith('<!', lt)) {
      // DOCTYPE: skip a bracketed internal subset when there is one.
      const bracket = xml.indexOf('[', lt);
      const gt = xml.indexOf('>', lt);
      i = bracket >= 0 && gt >= 0 && bracket < gt ? skipTo(xml, skipTo(xml, bracket, ']'), '>') : gt < 0 ? xml.length : gt + 1;
      continue;
    }
    if (xml[lt + 1] === '/') {
      const gt = xml.indexOf('>', lt);
      const end = gt < 0 ? xml.length : gt + 1;
      const name = xml.slice(lt + 2, gt < 0 ? xml.length : gt).trim();
      // Close the innermost open element with this name (tolerating missing end tags).
      for (let k = stack.length - 1; k >= 0; k--) {
        if (spans[stack[k]].name === name) {
          const s = spans[stack[k]];
          s.closeStart = lt;
          s.end = end;
          stack.length = k;
          break;
        }
      }
      i = end;
      continue;
    }
    let j = lt + 1;
    while (j < xml.length && !NAME_END.test(xml[j])) j++;
    const name = xml.slice(lt + 1, j);
    const openEnd = tagEnd(xml, j);
    if (name === '') {
      i = lt + 1;
      continue;
    }
    const selfClosing = xml[openEnd - 2] === '/';
    const span: Span = { name, start: lt, openEnd, closeStart: openEnd, end: openEnd, depth: stack.length, parent: stack.length ? stack[stack.length - 1] : -1, selfClosing };
    spans.push(span);
    if (!selfClosing) {
      stack.push(spans.length - 1);
      span.end = xml.length;
      span.closeStart = xml.length;
    }
    i = openEnd;
  }
  // Unclosed elements end where the text ends.
  for (const k of stack) {
    spans[k].closeStart = xml.length;
    spans[k].end = xml.length;
  }
  return spans;
}

const ATTR = /(\s+)([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

/** The attributes (namespace declarations included) of a span's start tag. */
export function attrsOf(xml: string, span: Span): AttrSpan[] {
  const tag = xml.slice(span.start, span.openEnd);
  const out: AttrSpan[] = [];
  ATTR.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ATTR.exec(tag))) {
    const start = span.start + m.index;
    const valueStart = start + m[0].length - m[3].length + 1;
    out.push({ name: m[2], start, end: start + m[0].length, valueStart, valueEnd: start + m[0].length - 1, value: m[4] ?? m[5] ?? '' });
  }
  return out;
}

export const localOf = (name: string): string => name.slice(name.indexOf(':') + 1);
export const prefixOf = (name: string): string => (name.includes(':') ? name.slice(0, name.indexOf(':')) : '');

/** Replaces [from, to) of `s` with `insert`. */
export function splice(s: string, from: number, to: number, insert = ''): string {
  return s.slice(0, from) + insert + s.slice(to);
}

/** Children of span `index` (direct). */
export function childrenOf(spans: Span[], index: number): number[] {
  const out: number[] = [];
  for (let k = index + 1; k < spans.length && spans[k].start < spans[index].end; k++) if (spans[k].parent === index) out.push(k);
  return out;
}

/** Elements with no element children whose content is text: [span index, text start, text end]. */
export function textLeaves(xml: string, spans: Span[]): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  spans.forEach((s, k) => {
    if (s.selfClosing) return;
    const next = spans[k + 1];
    if (next && next.start < s.end) return;
    out.push([k, s.openEnd, s.closeStart]);
  });
  return out;
}
