import type { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import type { BaseMessage } from '@langchain/core/messages';
import type { Observable } from 'rxjs';
import type { StreamableAgent } from '../../sources/fromAgent';
import type { StreamableRunnable } from '../../sources/fromRunnable';
import type { ConversationLock, ReplyLog } from '../../replyLog/types';
import type { UIMessageStreamInput } from '../toUIMessageStream';
import type { ApprovalSecret } from '../approvalSignature';
import type { ApprovalDecision } from '../../sources/approvalResume';
import type { CommandClass } from '../../history/pendingApprovals';
import type { ConversationOwners } from './owners';

/** What a request wants to do with a conversation: `authorize` gets it. */
export type ChatAction = 'send' | 'resume' | 'stop' | 'history';

/** What `authorize` receives. */
export interface AuthorizeInput {
  /** The Web request (cookies, headers). */
  readonly request: Request;
  /** The conversation asked for; `undefined` for a one-off reply (no conversation). */
  readonly conversationId: string | undefined;
  readonly action: ChatAction;
}

/**
 * Who is asking: the principal's id (a user id from your session), or `null` to refuse
 * with 401. The handler keeps a conversation for the principal who started it; every
 * other principal gets 404 (docs/chat-handler-threats.md).
 */
export type Authorize = (input: AuthorizeInput) => string | null | Promise<string | null>;

/** The wire a reply is sent on, for a `stream` function that answers each differently. */
export type ChatProtocol = 'ui-message-stream' | 'server-sent-events' | 'websocket';

/** What a `stream` function receives for one reply. */
export interface ChatRunInput {
  /** `system` (when given), the conversation's history window, then the new question. */
  readonly messages: BaseMessage[];
  /** The conversation, or `undefined` for a one-off reply. */
  readonly conversationId: string | undefined;
  /** What `authorize` returned; `undefined` without `authorize`. */
  readonly principal: string | undefined;
  readonly protocol: ChatProtocol;
  /**
   * Set for a decision turn (the conversation waited for a decision about its last run's tool
   * calls): resume that run with `new Command({ resume: approvalResume(decisions) })` on the
   * conversation's thread. Then `messages` holds the system prompt and the history window only.
   */
  readonly decisions?: readonly ApprovalDecision[];
}

/** A function that streams one reply: parts (`fromAgent`), message chunks (`fromRunnable`) or text. */
export type ChatStream = (input: ChatRunInput) => Observable<UIMessageStreamInput>;

/** What `onFinish` receives after a conversation turn is saved (or a one-off reply ended). */
export interface ChatFinish {
  readonly conversationId: string | undefined;
  readonly principal: string | undefined;
  readonly replyId: string;
  /** `'done'` (saved), `'stopped'` (saved marked partial), `'error'` (nothing saved). A turn awaiting a decision has not finished: its decision turn reports. */
  readonly outcome: 'done' | 'stopped' | 'error';
  /** The answer text (what the user saw). */
  readonly text: string;
}

/** Which `Host` headers the handler answers: host names (any port), `'any'`, or a function. */
export type ChatAllowedHosts = readonly string[] | 'any' | ((host: string, request: Request) => boolean);
/** Origins besides the request's own that may use the handler (also get CORS headers), or a function. */
export type ChatAllowedOrigins = readonly string[] | ((origin: string | undefined, request: Request) => boolean);

/** Options of {@link createChatHandler}. Exactly one of `model`, `agent` and `stream`. */
export interface ChatHandlerOptions {
  /** A chat model (`ChatOpenAI`, …): `fromRunnable(model, messages)`. */
  model?: StreamableRunnable<BaseMessage[], unknown>;
  /**
   * An agent (`createAgent(…)`): `fromAgent(agent, { messages })`. With a checkpointer, the
   * conversation id is the run's `thread_id` (the thread holds the conversation: each turn sends
   * its question only), and a run that stops for a person's decision (`humanInTheLoopMiddleware`)
   * waits in the conversation until the next request answers it (docs/approvals.md).
   */
  agent?: StreamableAgent<{ messages: BaseMessage[] }>;
  /**
   * LangGraph's `Command` class (`import { Command } from '@langchain/langgraph'`): a decision
   * resumes the agent's thread with `new Command({ resume })`. Needed to answer approvals.
   */
  Command?: CommandClass;
  /**
   * Sign every `tool-approval-request` and verify the client's answer (HMAC-SHA256, the AI SDK's
   * `experimental_toolApprovalSecret`): a missing or wrong signature is a 403. Default: unsigned.
   */
  toolApprovalSecret?: ApprovalSecret;
  /** Or your own reply stream. */
  stream?: ChatStream;
  /** A system prompt put before the history of every reply. */
  system?: string;
  /** Where routes live. Default `/api/chat` (what `useChat` calls). */
  basePath?: string;
  /** A conversation's history. Default: in memory (this process). Must write `addMessages([question, answer])` atomically to be shared. */
  history?: (conversationId: string) => BaseListChatMessageHistory;
  /** The reply log. Default `new InMemoryReplyLog()`; `RedisReplyLog` to scale out. */
  replyLog?: ReplyLog;
  /** The conversation lock. Default `new InMemoryConversationLock({ waitMs: 10000 })`; `RedisConversationLock` to scale out. */
  lock?: ConversationLock;
  /** Who owns a conversation (kept where the history is). Default: in memory; `RedisConversationOwners` to scale out. */
  owners?: ConversationOwners;
  /** Who asks. Without it, conversation ids are capabilities (at least 16 characters of `[A-Za-z0-9_-]`). */
  authorize?: Authorize;
  /** Runs at once on this instance (also waiting for a lock, also with nobody listening). Default 64. */
  maxConcurrentRuns?: number;
  /** Runs at once per principal (with `authorize`). Default 4. */
  maxConcurrentRunsPerPrincipal?: number;
  /** `Retry-After` of a 429, whole seconds ≥ 1. Default 5. */
  retryAfterSeconds?: number;
  /** Body cap of `POST {base}` (the AI SDK sends the conversation), bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Body cap of `POST {base}/stream`, bytes. Default 16 KiB. */
  maxQuestionBodyBytes?: number;
  /** Longest question, code points. Default 4000. */
  maxQuestionChars?: number;
  /** History messages a reply sees (`windowHistory`). Default 10. */
  maxMessages?: number;
  /** The `Host` allow-list. Default: `localhost`, `127.0.0.1`, `[::1]` on any port. */
  allowedHosts?: ChatAllowedHosts;
  /** Other origins allowed (CORS, preflight included). Default: the same origin only. */
  allowedOrigins?: ChatAllowedOrigins;
  /** SSE heartbeat, ms (0: none). Default 15000. */
  heartbeatMs?: number;
  /** The text of a failed reply's `error` chunk / event. Default: the error's message. */
  errorText?: (error: unknown) => string;
  /** Called once a turn ended (after its save). Errors it throws are ignored. */
  onFinish?: (finish: ChatFinish) => void | Promise<void>;
}

/** A turn asked over another wire (`serveChatOverWebSocket`'s `chat` option). */
export interface ChatTurnInput {
  /** What `authorize` sees: for a WebSocket, the upgrade request's URL and headers (cookies). */
  readonly request: Request;
  readonly conversationId: unknown;
  readonly question: unknown;
}

/** A decision sent over another wire (a WebSocket `decide` message). */
export interface ChatDecisionInput {
  /** What `authorize` sees: for a WebSocket, the upgrade request's URL and headers (cookies). */
  readonly request: Request;
  readonly conversationId: unknown;
  /** `[{ id, type: 'approve' | 'edit' | 'reject' | 'respond', args?, message?, value? }]`, one per waiting request (docs/approvals.md). */
  readonly decisions: unknown;
}

/** One message of a turn asked over another wire: `start`, `chunk` `{ text }`, `done`, `approval-request` `{ requests }`, `error`. */
export type ChatTurnMessage = { type: string } & Record<string, unknown>;

/** A Web-standard chat back end: mount `fetch` in any server (Next.js, Hono, Deno, Bun, workers; `toNodeHandler` for Node). */
export interface ChatHandler {
  fetch(request: Request): Promise<Response>;
  /**
   * A conversation turn over another wire (a WebSocket): the same checks, caps, lock, ownership,
   * history and reply log as `POST {base}/stream`. Rejects with a `ChatRequestError` (its
   * `status` says why: 400, 401, 404, 409, 429).
   */
  ask(input: ChatTurnInput): Promise<Observable<ChatTurnMessage>>;
  /**
   * Answers the approval requests a conversation waits for, over another wire (a WebSocket): the
   * checks of `POST {base}/stream` `{ conversationId, decisions }`, once (a second answer rejects
   * with a 409 `ChatRequestError`). Resolves once the resumed turn started, to its messages.
   */
  decide(input: ChatDecisionInput): Promise<Observable<ChatTurnMessage>>;
  /** Stops a conversation's running reply, with the checks of `POST {base}/:id/stop`. */
  stop(input: Omit<ChatTurnInput, 'question'>): Promise<{ stopped: boolean; replyId?: string }>;
  /** Runs on this instance now (including runs waiting for a lock). */
  readonly runs: number;
  /** Ends every run this instance produces (readers are told the reply was abandoned). */
  close(): Promise<void>;
}
