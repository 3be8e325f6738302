// The web demo's WebSocket mode: one socket to /ws for the page. Every message it sends names the
// page's conversation (`{ type: 'ask' | 'decide' | 'stop', conversationId }`), so the server's chat
// handler runs it as the SSE mode's turn: the same history, reply log, lock and approvals (a
// message without a conversationId would be the connection's own session, which cannot take a
// decision and is gone on a reload). The server answers with `start`, `chunk`, `approval-request`
// (the turn waits for a person), `done` or `error`, each tagged with the conversationId.
import type { WireDecision, WireRequest } from './sseDecisions';

/** What a turn shows: where its messages go. */
export interface TurnView {
  chunk(text: string): void;
  /** The run stopped for a person's decision about these calls. */
  approvalRequest(requests: readonly WireRequest[]): void;
  done(stopped: boolean): void;
  failed(message: string): void;
}

/** A turn of the conversation: a question, or the decisions about the calls it waits for. */
export type TurnBody = { readonly question: string } | { readonly decisions: readonly WireDecision[] };

/** The page's WebSocket: one turn at a time (the page waits for a reply before the next one). */
export interface WebSocketTurns {
  /**
   * Sends a turn of `conversationId`; its messages go to `view`. Resolves once the server
   * answered with a message of the turn, rejects when it refused it first (a decision answered
   * already: 409), so an approval card can say so.
   */
  send(conversationId: string, body: TurnBody, view: TurnView): Promise<void>;
  /** Asks the server to stop the conversation's running reply (any instance passes it on). */
  stop(conversationId: string): void;
}

/** A server message, as far as the page reads it. */
interface ServerMessage {
  readonly type: string;
  readonly conversationId?: string;
  readonly text?: string;
  readonly stopped?: boolean;
  readonly message?: string;
  readonly requests?: WireRequest[];
}

/**
 * The page's WebSocket turns on `url` (opened on first use, again after it closed).
 *
 * @param url The endpoint, e.g. `ws://127.0.0.1:3000/ws`.
 * @returns `send` and `stop`.
 */
export function webSocketTurns(url: string): WebSocketTurns {
  let socket: WebSocket | null = null;
  let ready: Promise<WebSocket> | null = null;
  let turn: { conversationId: string; view: TurnView; accept(): void; refuse(error: Error): void } | null = null;

  /** The turn ended: later messages (another tab's, a late `stop` answer) find none. */
  const end = (): TurnView | undefined => {
    const view = turn?.view;
    turn = null;
    return view;
  };

  function receive(message: ServerMessage): void {
    if (!turn || (message.conversationId !== undefined && message.conversationId !== turn.conversationId)) return;
    if (message.type === 'error') {
      const error = new Error(message.message ?? '回复失败');
      turn.refuse(error);
      return end()?.failed(error.message);
    }
    turn.accept();
    if (message.type === 'chunk') turn.view.chunk(message.text ?? '');
    else if (message.type === 'approval-request') end()?.approvalRequest(message.requests ?? []);
    else if (message.type === 'done') end()?.done(message.stopped === true);
    else if (message.type === 'stop' && message.stopped === false) end()?.done(true); // nothing ran any more
  }

  function open(): Promise<WebSocket> {
    if (socket && socket.readyState <= WebSocket.OPEN && ready) return ready;
    const ws = new WebSocket(url);
    socket = ws;
    ready = new Promise((resolve, reject) => {
      ws.addEventListener('open', () => resolve(ws), { once: true });
      ws.addEventListener('error', () => reject(new Error('WebSocket 连接失败')), { once: true });
    });
    ws.addEventListener('message', (event: MessageEvent<string>) => receive(JSON.parse(event.data) as ServerMessage));
    ws.addEventListener('close', () => {
      if (socket === ws) socket = null;
      turn?.refuse(new Error('连接已关闭'));
      end()?.failed('连接已关闭');
    });
    return ready;
  }

  return {
    send(conversationId, body, view) {
      const accepted = new Promise<void>((accept, refuse) => (turn = { conversationId, view, accept, refuse }));
      const message = 'question' in body ? { type: 'ask', question: body.question, conversationId } : { type: 'decide', decisions: body.decisions, conversationId };
      open().then(
        (ws) => ws.send(JSON.stringify(message)),
        (error: Error) => {
          turn?.refuse(error);
          end()?.failed(error.message);
        },
      );
      return accepted;
    },
    stop(conversationId) {
      socket?.send(JSON.stringify({ type: 'stop', conversationId }));
    },
  };
}
