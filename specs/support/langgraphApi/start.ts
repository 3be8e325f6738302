/**
 * @langchain/langgraph-api's own in-memory server (what `langgraphjs dev` runs) in a child
 * process (server.mts under tsx), serving graph.ts's graphs; and what of two runs' parts may
 * differ between servers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { StreamPart } from '../../../src';

export async function startLangGraphApi(): Promise<{ url: string; stop(): Promise<void> }> {
  const cwd = mkdtempSync(join(tmpdir(), 'rxlc-langgraph-api-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'server.mts'), cwd], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr!.resume();
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^listening (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`langgraph-api's server exited with ${code}`)));
  });
  return {
    url,
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin!.end();
      await exited;
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/** Parts without what differs between runs (ids, interrupt ids, task-uuid namespace suffixes). */
export const comparable = (parts: StreamPart[]) =>
  parts.map((p) => ({ ...p, ...('id' in p && { id: '<id>' }), ...('interruptId' in p && { interruptId: '<interrupt>' }), ...(p.namespace && { namespace: p.namespace.map((s) => s.replace(/:.*$/, ':<task>')) }) }));
