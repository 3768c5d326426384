import { fork, type ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import path from 'node:path';

/** What a benchmark server process reports about itself. */
export interface ProcStats {
  cpuUserUs: number;
  cpuSystemUs: number;
  rss: number;
}

/** CPU time of a process, µs, user and system together. */
export const cpuOf = (s: ProcStats): number => s.cpuUserUs + s.cpuSystemUs;

export interface ServerHandle {
  port: number;
  stats(): Promise<ProcStats>;
  stop(): Promise<void>;
}

/** The parent's end of a benchmark server's IPC channel: a forked child process or a cluster worker. */
export type IpcPeer = EventEmitter & { send(message: object): unknown };

/** The port a server process reports once it listens (`serveBench`); its start error or early exit rejects. */
export function listeningPort(peer: IpcPeer, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    peer.on('message', (m: { port?: number; error?: string }) => {
      if (m.port) resolve(m.port);
      if (m.error) reject(new Error(m.error));
    });
    peer.once('exit', (code: number | null) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
}

let statsSeq = 0;

/** Asks a server process for its ProcStats: `{ cmd: 'stats', id }` out, `{ statsId, stats }` back. */
export function askStats(peer: IpcPeer): Promise<ProcStats> {
  return new Promise((resolve) => {
    const id = ++statsSeq;
    const onMsg = (m: { statsId?: number; stats?: ProcStats }) => {
      if (m.statsId === id && m.stats) {
        peer.off('message', onMsg);
        resolve(m.stats);
      }
    };
    peer.on('message', onMsg);
    peer.send({ cmd: 'stats', id });
  });
}

/**
 * Runs a benchmark server in its own process, so that the server's CPU time is measured apart from
 * the load generator's. The script listens on port 0 and calls `serveBench(port)` below.
 */
export async function startServerProcess(script: string, env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<ServerHandle> {
  const child: ChildProcess = fork(path.resolve(script), args, {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await listeningPort(child, script);
  const stats = () => askStats(child);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  return { port, stats, stop };
}

/** Called in the server process once it listens: reports the port and answers stats requests. */
export function serveBench(port: number): void {
  process.send?.({ port });
  process.on('message', (m: { cmd?: string; id?: number }) => {
    if (m.cmd === 'stats') {
      const cpu = process.cpuUsage();
      process.send?.({ statsId: m.id, stats: { cpuUserUs: cpu.user, cpuSystemUs: cpu.system, rss: process.memoryUsage().rss } });
    }
  });
  process.on('SIGTERM', () => process.exit(0));
}

export function reportStartError(e: unknown): void {
  process.send?.({ error: (e as Error).message });
  process.exit(1);
}
