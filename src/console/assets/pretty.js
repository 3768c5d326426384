// Pretty-printing of message bodies for display. Works on text only and returns text: the caller
// puts it into the page with textContent, so nothing in a body is ever interpreted as markup.

const TOKEN = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<![^>]*>|<\/?[^>]+>|[^<]+/g;

/** Indents XML by element depth; text-only elements stay on one line. Malformed input is shown as is, line by line. */
export function prettyXml(text) {
  const tokens = text.match(TOKEN) || [];
  const lines = [];
  let depth = 0;
  const pad = () => '  '.repeat(depth);
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (!tok.startsWith('<')) {
      const s = tok.trim();
      if (s) lines.push(pad() + s);
      continue;
    }
    if (tok.startsWith('</')) {
      depth = Math.max(0, depth - 1);
      lines.push(pad() + tok);
    } else if (tok.startsWith('<?') || tok.startsWith('<!') || tok.endsWith('/>')) {
      lines.push(pad() + tok);
    } else {
      const text = tokens[i + 1];
      const close = tokens[i + 2];
      if (text !== undefined && !text.startsWith('<') && close !== undefined && close.startsWith('</')) {
        lines.push(pad() + tok + text.trim() + close);
        i += 2;
      } else {
        lines.push(pad() + tok);
        depth += 1;
      }
    }
  }
  return lines.join('\n');
}

/** XML, JSON or anything else, as displayable text. */
export function prettyBody(text) {
  const t = text.trimStart();
  if (t.startsWith('<')) return prettyXml(text);
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  return text;
}
