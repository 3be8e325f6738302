// The AI SDK's framework-free chat client for the web demo's "AI SDK" mode, bundled for the
// browser by demos/web/bundle.ts: `AbstractChat` (what @ai-sdk/react's `useChat` wraps) with a
// plain state object, and `DefaultChatTransport`, which POSTs `{ id, messages, trigger,
// messageId }` to /api/chat and reads the UI message stream with the SDK's strict schema.
import { AbstractChat, DefaultChatTransport, type ChatState, type ChatStatus, type UIMessage } from 'ai';

export type DemoMessage = UIMessage;

/** What the page uses. */
export interface DemoChat {
  /** The chat's id: the server's conversation (its reply log, its stop route). */
  readonly id: string;
  /** Called with the assistant message each time it changes while it streams. */
  onUpdate?: (message: DemoMessage) => void;
  readonly error: Error | undefined;
  readonly status: ChatStatus;
  readonly messages: DemoMessage[];
  /** Sends a user message; resolves when the reply ended (done, stopped or failed). */
  sendMessage(text: string): Promise<void>;
  stop(): Promise<void>;
}

/** A `ChatState` without a framework: plain fields, and a callback when the last message changes. */
class PlainState implements ChatState<DemoMessage> {
  status: ChatStatus = 'ready';
  error: Error | undefined = undefined;
  messages: DemoMessage[] = [];
  constructor(private readonly changed: (message: DemoMessage) => void) {}
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

export function createDemoChat(api: string): DemoChat {
  const state = new PlainState((message) => message.role === 'assistant' && demo.onUpdate?.(message));
  const chat = new Chat({ transport: new DefaultChatTransport({ api }), state });
  const demo: DemoChat = {
    onUpdate: undefined,
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
  };
  return demo;
}
