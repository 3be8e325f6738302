/**
 * The web demo as a real process (`npm run web`'s command), for specs that need
 * separate instances: they share nothing but the Redis given in `REDIS_URL`, and
 * one can be killed with SIGKILL mid-reply.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TS_NODE } from './tsNode';

const root = join(__dirname, '..', '..');

export interface WebDemoProcess {
  readonly url: string;
  readonly pid: number;
  /** SIGKILL: the instance dies at once, writing nothing more. */
  kill(): Promise<void>;
  /** SIGTERM: the demo closes cleanly. */
  stop(): Promise<void>;
}

/** Starts `demos/web/server.ts --port 0 …args` with `env` added; resolves once it prints its URL. */
export function spawnWebDemo(env: Record<string, string>, args: readonly string[] = []): Promise<WebDemoProcess> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [...TS_NODE, 'demos/web/server.ts', '--port', '0', ...args], {
      cwd: root,
      env: { ...process.env, OPENAI_API_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const onData = (part: Buffer): void => {
      output += part.toString();
      const url = /Web demo on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (!url) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      const end = async (signal: NodeJS.Signals): Promise<void> => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exited;
      };
      resolve({ url, pid: child.pid!, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (part: Buffer) => (output += part.toString()));
    child.once('exit', (code, signal) => reject(new Error(`the web demo exited (${code ?? signal}) before it listened:\n${output}`)));
  });
}
