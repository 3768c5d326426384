/**
 * A benchmark script's command line: refuses options it does not know, and returns a reader of
 * `--name value` options (undefined when absent; an option without its value is refused).
 */
export function optionReader(argv: readonly string[], known: readonly string[]): (name: string) => string | undefined {
  const names = new Set(known.map((k) => `--${k}`));
  for (const a of argv) if (a.startsWith('--') && !names.has(a)) throw new Error(`unknown option ${a}`);
  return (name) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
    return v;
  };
}

/** A benchmark script's progress line on stderr, stamped with the seconds since the script started. */
export function progressLine(): (line: string) => void {
  const t0 = Date.now();
  return (line) => void process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
}
