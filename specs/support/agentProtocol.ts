/**
 * Two instances of `createAgentProtocolHandler` on 127.0.0.1:0 over one reply log, one lock and one
 * thread state (in memory, or Redis for the log and the lock and Postgres for the state), serving the offline agent with an
 * approval before `python_release` (`agent`) and without (`plain`); the tool is counted and can be
 * held on a gate. `sdkFetch` is a load balancer for the SDK: every request goes to the instance
 * `route()` names.
 */
import { serve, type ServerType } from '@hono/node-server';
import { tool } from '@langchain/core/tools';
import { MemorySaver } from '@langchain/langgraph';
import { createAgent, humanInTheLoopMiddleware } from 'langchain';
import type { AddressInfo } from 'node:net';
import { createAgentProtocolHandler, type AgentProtocolHandler, type AgentProtocolHandlerOptions } from '../../src/web/agentProtocol/createAgentProtocolHandler';
import { ScriptedChatModel } from '../../src/offline';
import { PYTHON_RELEASES } from '../../src/offline/agentScript';

/** A tool call the spec can hold: `release()` lets waiting calls finish. */
export class ToolGate {
  calls = 0;
  aborted = 0;
  held = false;
  #waiting: Array<() => void> = [];
  #started: Array<() => void> = [];

  /** Resolves when the next call starts (now, if one is waiting). */
  started(): Promise<void> {
    if (this.#waiting.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.#started.push(resolve));
  }

  release(): void {
    this.held = false;
    for (const go of this.#waiting.splice(0)) go();
  }

  async pass(signal: AbortSignal | undefined): Promise<void> {
    this.calls++;
    if (!this.held) return;
    await new Promise<void>((resolve, reject) => {
      this.#waiting.push(resolve);
      signal?.addEventListener('abort', () => {
        this.aborted++;
        reject(new Error('aborted'));
      });
      for (const tell of this.#started.splice(0)) tell();
    });
  }
}

export function protocolGraphs(gate: ToolGate): AgentProtocolHandlerOptions['graphs'] {
  const pythonRelease = tool(
    async ({ version }: { version: string }, config) => {
      await gate.pass(config?.signal);
      return JSON.stringify({ version, released: PYTHON_RELEASES[version] });
    },
    { name: 'python_release', description: 'Release date of a Python version', schema: { type: 'object', properties: { version: { type: 'string' } }, required: ['version'] } },
  );
  const model = () => new ScriptedChatModel();
  return {
    agent: createAgent({ model: model(), tools: [pythonRelease], middleware: [humanInTheLoopMiddleware({ interruptOn: { python_release: true } })] }),
    plain: createAgent({ model: model(), tools: [pythonRelease] }),
  };
}

export interface ProtocolInstance {
  readonly url: string;
  readonly handler: AgentProtocolHandler;
  readonly server: ServerType;
  /** Cuts every open connection (a network drop); the instance keeps running. */
  drop(): void;
}

export interface ProtocolCluster {
  readonly a: ProtocolInstance;
  readonly b: ProtocolInstance;
  readonly gate: ToolGate;
  /** Where `sdkFetch` sends requests: always `a`, always `b`, or alternating. */
  route: 'a' | 'b' | 'alternate';
  /** A `fetch` for the SDK that rewrites each request to the instance `route` picks. */
  readonly sdkFetch: typeof fetch;
  close(): Promise<void>;
}

/** One handler served on 127.0.0.1 and a free port. */
export async function startProtocolInstance(options: AgentProtocolHandlerOptions): Promise<ProtocolInstance> {
  const handler = createAgentProtocolHandler(options);
  const server = serve({ fetch: handler.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const drop = (): void => (server as unknown as { closeAllConnections(): void }).closeAllConnections();
  return { url: `http://127.0.0.1:${port}`, handler, server, drop };
}

/** What `startCluster` asks for each instance: its log and lock, and (like a process) its own checkpointer. */
export type InstanceParts = Pick<AgentProtocolHandlerOptions, 'replyLog' | 'lock' | 'checkpointer'>;

/**
 * Two instances, each with its own graphs (as two processes have) and the log, lock and
 * checkpointer `instance()` gives it: one shared in-memory log, or each its own Redis client; each
 * its own `PostgresSaver` over one database, or (when `instance()` gives none) one `MemorySaver`
 * object for both, which is what a shared database is inside one process.
 */
export async function startCluster(instance: () => InstanceParts | Promise<InstanceParts>): Promise<ProtocolCluster> {
  const gate = new ToolGate();
  const shared = new MemorySaver();
  const a = await startProtocolInstance({ graphs: protocolGraphs(gate), checkpointer: shared, ...(await instance()) });
  const b = await startProtocolInstance({ graphs: protocolGraphs(gate), checkpointer: shared, ...(await instance()) });
  let turn = 0;
  const cluster: ProtocolCluster = {
    a,
    b,
    gate,
    route: 'alternate',
    sdkFetch: ((input: RequestInfo | URL, init?: RequestInit) => {
      const target = cluster.route === 'alternate' ? (turn++ % 2 === 0 ? a : b) : cluster[cluster.route];
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      return fetch(`${target.url}${url.pathname}${url.search}`, init);
    }) as typeof fetch,
    async close() {
      gate.release();
      for (const instance of [a, b]) {
        await instance.handler.close();
        instance.drop();
        await new Promise<void>((resolve) => instance.server.close(() => resolve()));
      }
    },
  };
  return cluster;
}
