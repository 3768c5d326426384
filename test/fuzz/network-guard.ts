import dns from 'node:dns';
import net from 'node:net';

/**
 * Refuses every connection but the fuzz client's own to the target, and every DNS lookup; each
 * attempt is reported. Returns the uninstaller.
 */
export function guardNetwork(allowedPort: () => number, report: (what: string) => void): () => void {
  const proto = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => net.Socket };
  const connect = proto.connect;
  proto.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = args[0] as unknown;
    const opts = (Array.isArray(first) ? first[0] : first) as { port?: number | string; host?: string; path?: string } | number | string;
    const port = typeof opts === 'object' && opts !== null ? Number(opts.port) : Number(opts);
    const host = typeof opts === 'object' && opts !== null ? (opts.host ?? 'localhost') : String(args[1] ?? 'localhost');
    const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
    if (!(loopback && port === allowedPort())) {
      report(`outbound connection to ${typeof opts === 'object' && opts?.path ? opts.path : `${host}:${port}`}`);
      process.nextTick(() => this.destroy(new Error('fuzz: outbound connection refused')));
      return this;
    }
    return connect.apply(this, args);
  };
  const lookup = dns.lookup;
  const promisesLookup = dns.promises.lookup;
  const literal = (h: string): boolean => net.isIP(h) !== 0 || h === 'localhost';
  (dns as { lookup: unknown }).lookup = (hostname: string, ...rest: unknown[]) => {
    // net.connect "looks up" IP literals too; those resolve without asking anyone.
    if (literal(hostname)) return (lookup as (...a: unknown[]) => unknown)(hostname, ...rest);
    report(`DNS lookup of ${hostname}`);
    const cb = rest[rest.length - 1];
    if (typeof cb === 'function') process.nextTick(() => cb(Object.assign(new Error('fuzz: DNS refused'), { code: 'ENOTFOUND' })));
  };
  (dns.promises as { lookup: unknown }).lookup = async (hostname: string, ...rest: unknown[]) => {
    if (literal(hostname)) return (promisesLookup as (...a: unknown[]) => unknown)(hostname, ...rest);
    report(`DNS lookup of ${hostname}`);
    throw Object.assign(new Error('fuzz: DNS refused'), { code: 'ENOTFOUND' });
  };
  return () => {
    proto.connect = connect;
    (dns as { lookup: unknown }).lookup = lookup;
    (dns.promises as { lookup: unknown }).lookup = promisesLookup;
  };
}
