/** The web demo's options and handle (./server.ts). */
import type { Server } from 'node:http';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import type { Observable } from 'rxjs';
import type { AgentProtocolGraph, UIMessageStreamInput } from '../../src';
import type { ChatWebSocketServer } from '../../src/node';
import type { RequestPolicy } from './routes';
import type { ScaleOut, ScaleOutOptions } from './scaleOut';

/** Options of {@link startWebDemo}. */
export interface WebDemoOptions extends RequestPolicy {
  /** Port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Interface. Default 127.0.0.1. */
  host?: string;
  /** Chat model. Default: `createDemoModel()` (offline unless OPENAI_API_KEY is set). */
  model?: BaseChatModel;
  /** Where the model lives, for error messages (`describeChatError`). */
  baseURL?: string;
  /** Body cap of POST /api/chat/stream, bytes. Default 16 KiB. */
  maxBodyBytes?: number;
  /** Body cap of POST /api/chat (the AI SDK request), bytes. Default 1 MiB. */
  maxChatBodyBytes?: number;
  /** SSE heartbeat, ms. Default 15000. */
  heartbeatMs?: number;
  /** 408 for a client that has not sent its headers / its whole request after this many ms. Defaults 10000 / 30000. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /**
   * Every mode (SSE, WebSocket, AI SDK) chats with an agent on `model` whose offline tools wait for
   * a person's decision (`npm run web -- --agent`; ./agent.ts). Default false.
   */
  approvals?: boolean;
  /** What POST /api/chat streams (without `approvals`). Default: an agent with the offline tools on `model`. */
  agent?: (messages: BaseMessage[]) => Observable<UIMessageStreamInput>;
  /** Where conversations live (Redis with `redisUrl`), the agents' threads (Postgres with `databaseUrl`), and the reply log's timings. */
  scaleOut?: ScaleOutOptions;
  /** Conversations' state opened by the caller and shared with other demos of this process (the caller closes it). */
  conversations?: ScaleOut;
  /**
   * The 智能体协议 mode (`/api/agent`, ./agentProtocol.ts): the graph it serves (default the offline
   * agent with an approval before `python_release`) and its thread state, a LangGraph checkpointer
   * (default in this process; instances that share threads share one).
   */
  agentProtocol?: { graph?: AgentProtocolGraph; checkpointer?: unknown };
}

/** A running web demo. */
export interface WebDemo {
  readonly url: string;
  readonly server: Server;
  readonly chat: ChatWebSocketServer;
  /** Conversations' state: `'redis'` or `'memory'`. */
  readonly state: ScaleOut['kind'];
  /** The agents' threads: `'postgres'` (DATABASE_URL) or `'memory'`. */
  readonly threads: 'memory' | 'postgres';
  /** Stops listening, aborts every running reply, closes every connection. */
  close(): Promise<void>;
}

