// The web demo's conversation survives a reload: its ids and the mode are in the page's URL
// (`?mode=ai&chat=<id>` / `?mode=sse&c=<id>`, written with history.replaceState), and on load the
// page reads the conversation back from the server (`GET /api/chat/:id/history`, UI messages),
// a tool call still waiting for a person included.
import type { WireRequest } from './sseDecisions';
import type { ShownPart } from './toolParts';

/** The page's modes. */
export type Mode = 'sse' | 'ws' | 'ai';

/** A stored message, as `GET /api/chat/:id/history` sends it (the AI SDK's `UIMessage`). */
export interface HistoryMessage {
  readonly id: string;
  readonly role: 'user' | 'assistant' | 'system';
  readonly parts: readonly ShownPart[];
  readonly metadata?: unknown;
}

const MODES: readonly string[] = ['sse', 'ws', 'ai'];
/** The URL parameter of each mode's conversation id (SSE and WebSocket share one conversation). */
const PARAM: Readonly<Record<Mode, string>> = { sse: 'c', ws: 'c', ai: 'chat' };

/** The mode and the conversation ids the URL names (none on a first visit). */
export function fromUrl(href: string = location.href): { mode: Mode | undefined; ids: Partial<Record<Mode, string>> } {
  const params = new URL(href).searchParams;
  const mode = params.get('mode');
  const ids: Partial<Record<Mode, string>> = {};
  for (const m of ['sse', 'ws', 'ai'] as const) {
    const id = params.get(PARAM[m]);
    if (id) ids[m] = id;
  }
  return { mode: mode !== null && MODES.includes(mode) ? (mode as Mode) : undefined, ids };
}

/** Writes the mode and its conversation id into the URL (no navigation): a reload comes back to it. */
export function remember(mode: Mode, id: string): void {
  const url = new URL(location.href);
  url.searchParams.set('mode', mode);
  url.searchParams.set(PARAM[mode], id);
  history.replaceState(history.state, '', url);
}

/** What `GET /api/chat/:id/history` answers: the messages, and the requests that wait for a decision. */
export interface StoredConversation {
  readonly messages: HistoryMessage[];
  readonly pendingApprovals: WireRequest[];
}

/** The stored conversation; an empty one for a conversation the server does not know (404) or when it fails. */
export async function loadHistory(id: string): Promise<StoredConversation> {
  const response = await fetch(`/api/chat/${encodeURIComponent(id)}/history`, { headers: { accept: 'application/json' } });
  const body = response.ok && response.status !== 204 ? ((await response.json()) as Partial<StoredConversation> | null) : null;
  return { messages: Array.isArray(body?.messages) ? body.messages : [], pendingApprovals: Array.isArray(body?.pendingApprovals) ? body.pendingApprovals : [] };
}
