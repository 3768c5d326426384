import { parentPort, workerData } from 'node:worker_threads';
import { guardNetwork } from './network-guard.js';
import { startFuzzTarget, type FuzzTarget } from './target.js';

/**
 * Worker-thread side of the fuzz target: runs the adapter's router on its own thread, so that
 * the fuzzer (mutations, answer checks) and the target use both cores. Everything the target
 * does wrong on its thread (an uncaught exception, an unhandled rejection, an outbound
 * connection) is reported to the fuzzer as a problem.
 */
export type ToWorker = { type: 'logged'; ask: number } | { type: 'close' };
export type FromWorker =
  | { type: 'ready'; port: number }
  | { type: 'logged'; ask: number; count: number }
  | { type: 'problem'; kind: string; message: string }
  | { type: 'closed' };

const port = parentPort;
if (!port) throw new Error('target-worker runs in a worker thread');
const send = (m: FromWorker): void => port.postMessage(m);
const describe = (e: unknown): string => (e instanceof Error ? (e.stack ?? e.message) : String(e));
process.on('unhandledRejection', (e) => send({ type: 'problem', kind: 'unhandledRejection', message: describe(e) }));
process.on('uncaughtException', (e) => send({ type: 'problem', kind: 'uncaughtException', message: describe(e) }));

let listening = 0;
guardNetwork(
  () => listening,
  (what) => send({ type: 'problem', kind: 'outbound-connection', message: what }),
);

const target: FuzzTarget = await startFuzzTarget(new Date((workerData as { now: string }).now));
listening = -1; // the target itself never connects anywhere, not even to its own port
port.on('message', (m: ToWorker) => {
  if (m.type === 'logged')
    void target.loggedExchanges().then((count) => {
      // Asked once per memory sample: collect first (with --expose-gc), so the sample sees what is retained, not garbage.
      (globalThis as { gc?: () => void }).gc?.();
      send({ type: 'logged', ask: m.ask, count });
    });
  else if (m.type === 'close') void target.close().then(() => {
    send({ type: 'closed' });
    port.close();
  });
});
send({ type: 'ready', port: target.port });
