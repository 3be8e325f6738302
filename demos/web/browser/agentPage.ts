// The web demo's 智能体协议 mode: a small React app on `@langchain/react`'s `useStream`, talking
// LangGraph's Agent Streaming Protocol to the demo's `createAgentProtocolHandler` under /api/agent.
// Bundled apart (/agent-protocol.js, demos/web/bundle.ts) and loaded by app.ts only in this mode:
// React, the SDK and @langchain/core's messages stay out of the other modes' script.
// The thread id lives in the address (?mode=agent&thread=…), so a reload — on any instance —
// hydrates the thread: its messages, the message still streaming, a pending approval.
// Written with createElement rather than JSX: the demos are .ts files that the import and
// function-length specs read (decision 0251).
import { useStream } from '@langchain/react';
import type { BaseMessage } from '@langchain/core/messages';
import { createElement as h, useEffect, useRef, useState, type FormEvent, type ReactElement } from 'react';
import { createRoot } from 'react-dom/client';
import { AGENT_PROTOCOL_PATH } from '../paths';
import { ApprovalCard, pendingActions } from './agentApproval';

/** What {@link mountAgentPage} needs. */
export interface AgentPageOptions {
  /** Where the protocol is served (the page's origin + /api/agent). */
  readonly apiUrl: string;
  /** The thread to show (hydrated from the server), or null for a new one. */
  readonly threadId: string | null;
  /** Told the id of a thread the first question created. */
  onThreadId(threadId: string): void;
}

const text = (message: BaseMessage): string => message.text;

const json = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** One message of the thread: the user's, the agent's (text and tool calls), or a tool's result. */
function Message({ message, streaming }: { message: BaseMessage; streaming: boolean }): ReactElement {
  const type = message.getType();
  if (type === 'human') return h('div', { className: 'msg user' }, text(message));
  if (type === 'tool') {
    const name = (message as { name?: string }).name ?? 'tool';
    return h('div', { className: 'tool', 'data-state': 'output-available', 'data-tool': name }, `🔧 ${name} → ${text(message)}`);
  }
  const calls = (message as { tool_calls?: Array<{ id?: string; name: string; args: unknown }> }).tool_calls ?? [];
  return h(
    'div',
    { className: `msg assistant${streaming ? ' streaming' : ''}`, 'data-state': streaming ? 'streaming' : 'done', 'data-id': message.id },
    text(message),
    ...calls.map((call, i) => h('div', { key: call.id ?? i, className: 'tool', 'data-tool': call.name }, `🔧 ${call.name}(${json(call.args)})`)),
  );
}

/** The thread, the pending approval and the question box, from one `useStream`. */
function AgentChat({ apiUrl, threadId, onThreadId }: AgentPageOptions): ReactElement {
  const stream = useStream({ apiUrl, assistantId: 'agent', threadId, onThreadId });
  const [question, setQuestion] = useState('Python 3.12 是什么时候发布的？');
  const lastAi = stream.messages.reduce((last, m, i) => (m.getType() === 'ai' ? i : last), -1);
  const busy = stream.isLoading || stream.isThreadLoading;
  const actions = pendingActions(stream.interrupt);
  const log = useRef<HTMLDivElement>(null);
  // Keep the newest message (or the approval) in view as the thread grows and streams.
  useEffect(() => void log.current?.scrollTo({ top: log.current.scrollHeight }), [stream.messages, actions?.length]);
  const ask = (event: FormEvent): void => {
    event.preventDefault();
    if (busy || question.trim() === '') return;
    void stream.submit({ messages: [{ type: 'human', content: question.trim() }] });
    setQuestion('');
  };
  return h(
    'div',
    { className: 'agent-chat', 'data-loading': String(stream.isLoading), 'data-thread': stream.threadId ?? '' },
    h(
      'div',
      { className: 'agent-log', 'aria-live': 'polite', ref: log },
      stream.messages.map((m, i) => h(Message, { key: m.id ?? i, message: m, streaming: stream.isLoading && i === lastAi })),
      actions && stream.interrupt?.id ? h(ApprovalCard, { actions, interruptId: stream.interrupt.id, respond: (response, id) => stream.respond(response, { interruptId: id }) }) : null,
      stream.error ? h('div', { className: 'msg assistant error' }, h('span', { className: 'note' }, describe(stream.error))) : null,
    ),
    h(
      'form',
      { className: 'agent-ask', onSubmit: ask },
      h('input', { className: 'agent-question', value: question, autoComplete: 'off', placeholder: '问点什么，例如：Python 3.12 是什么时候发布的？', onChange: (e: { target: { value: string } }) => setQuestion(e.target.value) }),
      h('button', { type: 'submit', className: 'agent-send', disabled: busy || actions !== undefined }, '发送'),
      h('button', { type: 'button', className: 'agent-stop', disabled: !stream.isLoading, onClick: () => void stream.stop() }, '停止'),
    ),
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Renders the mode into `container` and returns its teardown (unmounting closes the streams).
 *
 * @example
 * ```ts
 * const unmount = mountAgentPage(document.getElementById('agent')!, { apiUrl: `${location.origin}/api/agent`, threadId: null, onThreadId: console.log });
 * ```
 * @param container Where the React app renders.
 * @param options The protocol's URL, the thread, and who hears a new thread's id.
 * @returns A function that unmounts the app.
 */
export function mountAgentPage(container: HTMLElement, options: AgentPageOptions): () => void {
  const root = createRoot(container);
  root.render(h(AgentChat, options));
  return () => root.unmount();
}

/** The address with `change` applied, put in place without a navigation. */
function rewriteAddress(change: (params: URLSearchParams) => void): URL {
  const url = new URL(location.href);
  change(url.searchParams);
  history.replaceState(history.state, '', url);
  return url;
}

/**
 * Starts the mode in `container`: the thread named in the address (`?thread=`), and the id of a
 * new one written back there, so that a reload comes back to it (`?mode=agent` brings back the mode).
 *
 * @example
 * ```ts
 * const stop = startAgentMode(document.getElementById('agent')!);
 * ```
 * @param container Where the React app renders.
 * @returns The mode's teardown: unmounts the app and takes `mode` out of the address.
 */
export function startAgentMode(container: HTMLElement): () => void {
  const url = rewriteAddress((params) => params.set('mode', 'agent'));
  const unmount = mountAgentPage(container, {
    apiUrl: `${location.origin}${AGENT_PROTOCOL_PATH}`,
    threadId: url.searchParams.get('thread'),
    onThreadId: (threadId) => void rewriteAddress((params) => params.set('thread', threadId)),
  });
  return () => {
    unmount();
    rewriteAddress((params) => params.delete('mode'));
  };
}
