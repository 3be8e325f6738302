// The AI SDK's framework-free chat client for the web demo's "AI SDK" mode, bundled for the
// browser by demos/web/bundle.ts: `AbstractChat` (what @ai-sdk/react's `useChat` wraps) with a
// plain state object, and `DefaultChatTransport`, which POSTs `{ id, messages, trigger,
// messageId }` to /api/chat and reads the UI message stream with the SDK's strict schema. A tool
// call that waits for approval is answered with `addToolApprovalResponse`; the client then sends
// the answer by itself (`lastAssistantMessageIsCompleteWithApprovalResponses`), as `useChat` does.
// 修改 changes the waiting tool part's input in the chat's messages first (`editToolInput`).
import {
  AbstractChat, DefaultChatTransport, lastAssistantMessageIsCompleteWithApprovalResponses, type ChatState, type ChatStatus, type UIMessage,
} from 'ai';

export type DemoMessage = UIMessage;

/** What the page uses. */
export interface DemoChat {
  /** The chat's id: the server's conversation (its reply log, its stop route). */
  readonly id: string;
  /** Called with the assistant message each time it changes while it streams. */
  onUpdate?: (message: DemoMessage) => void;
  /** Called when the chat's status changes (`'ready'` or `'error'`: a response ended, the automatic resend's too). */
  onStatus?: (status: ChatStatus) => void;
  readonly error: Error | undefined;
  readonly status: ChatStatus;
  readonly messages: DemoMessage[];
  /** Sends a user message; resolves when the reply ended (done, stopped or failed). */
  sendMessage(text: string): Promise<void>;
  stop(): Promise<void>;
  /** Answers a tool call that waits for approval (its `approval.id`); the chat then sends the answer. */
  addToolApprovalResponse(response: { id: string; approved: boolean; reason?: string }): Promise<void>;
  /**
   * Changes the input of the tool call that waits for approval `id`, in the chat's own messages,
   * before it is approved: the request that carries the approval carries the edited input, which the
   * server reads as an `edit` decision (unsigned requests only; decision 0286).
   */
  editToolInput(id: string, input: Record<string, unknown>): void;
}

/** A `ChatState` without a framework: plain fields, and a callback when the last message changes. */
class PlainState implements ChatState<DemoMessage> {
  #status: ChatStatus = 'ready';
  error: Error | undefined = undefined;
  constructor(
    public messages: DemoMessage[],
    private readonly changed: (message: DemoMessage) => void,
    private readonly statusChanged: (status: ChatStatus) => void,
  ) {}
  get status(): ChatStatus {
    return this.#status;
  }
  set status(status: ChatStatus) {
    this.#status = status;
    this.statusChanged(status);
  }
  pushMessage = (message: DemoMessage): void => {
    this.messages = [...this.messages, message];
    this.changed(message);
  };
  popMessage = (): void => {
    this.messages = this.messages.slice(0, -1);
  };
  replaceMessage = (index: number, message: DemoMessage): void => {
    this.messages = [...this.messages.slice(0, index), message, ...this.messages.slice(index + 1)];
    this.changed(message);
  };
  snapshot = <T>(thing: T): T => structuredClone(thing);
}

/** The SDK leaves the state to a framework (React, Vue, Svelte); here it is {@link PlainState}. */
class Chat extends AbstractChat<DemoMessage> {}

/**
 * The page's chat client on `api`; `id` and `messages` continue a stored conversation (a reload:
 * `GET /api/chat/:id/history`), a call waiting for approval included.
 */
export function createDemoChat(api: string, init: { id?: string; messages?: DemoMessage[] } = {}): DemoChat {
  const state = new PlainState(
    init.messages ?? [],
    (message) => message.role === 'assistant' && demo.onUpdate?.(message),
    (status) => demo.onStatus?.(status),
  );
  const chat = new Chat({
    id: init.id,
    transport: new DefaultChatTransport({ api }),
    state,
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
  });
  const demo: DemoChat = {
    onUpdate: undefined,
    onStatus: undefined,
    id: chat.id,
    get error() {
      return chat.error;
    },
    get status() {
      return chat.status;
    },
    get messages() {
      return chat.messages;
    },
    sendMessage: (text) => chat.sendMessage({ text }),
    stop: () => chat.stop(),
    addToolApprovalResponse: async (response) => chat.addToolApprovalResponse(response),
    editToolInput: (id, input) => {
      const waits = (part: DemoMessage['parts'][number]): boolean => (part as { approval?: { id?: string } }).approval?.id === id && 'input' in part;
      // The SDK has no call for it: its messages are ours to replace (AbstractChat's `messages` setter).
      chat.messages = chat.messages.map((m) => (m.parts.some(waits) ? { ...m, parts: m.parts.map((p) => (waits(p) ? { ...p, input } : p)) } : m));
    },
  };
  return demo;
}
