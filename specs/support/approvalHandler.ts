/**
 * What the chat handler's approval specs share: a handler over the real approval agent, its
 * requests as a client sends them (the AI SDK body with an answered tool part, recorded from
 * `ai` 7; our SSE decision body), and readers of both wires.
 */
import { Command } from '@langchain/langgraph';
import { createParser } from 'eventsource-parser';
import type { ChatHandler } from '../../src';
import { NOT_CROSS_SITE } from './chatHandler';

export const BASE = 'http://localhost/api/chat';
export const ASK_TEXT = '给 Ada 发一封邮件说你好';
export { Command };

export interface Chunk {
  type: string;
  [key: string]: unknown;
}

export const post = (h: ChatHandler, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  h.fetch(new Request(BASE + path, { method: 'POST', headers: { 'content-type': 'application/json', ...NOT_CROSS_SITE, ...headers }, body: JSON.stringify(body) }));
export const get = (h: ChatHandler, path: string, headers: Record<string, string> = {}): Promise<Response> =>
  h.fetch(new Request(BASE + path, { headers: { ...NOT_CROSS_SITE, ...headers } }));

/** Every UI message stream chunk of a response, read to its end. */
export async function uiChunks(response: Response): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  const parser = createParser({ onEvent: (e) => void (e.data !== '[DONE]' && chunks.push(JSON.parse(e.data) as Chunk)) });
  const decoder = new TextDecoder();
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(bytes, { stream: true }));
  return chunks;
}

/** Every event of one of our SSE responses, read to its end: `{ event, data }`. */
export async function sseEvents(response: Response): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const parser = createParser({ onEvent: (e) => void events.push({ event: e.event ?? 'message', data: JSON.parse(e.data) as Record<string, unknown> }) });
  const decoder = new TextDecoder();
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(bytes, { stream: true }));
  return events;
}

/** The types of some chunks without the deltas. */
export const typesOf = (chunks: readonly Chunk[]): string[] => chunks.map((c) => c.type).filter((t) => t !== 'text-delta' && t !== 'tool-input-delta');

/** The first request: the AI SDK body of a new question. */
export const askBody = (id: string, text = ASK_TEXT) => ({ id, trigger: 'submit-message', messages: [{ id: `u-${id}`, role: 'user', parts: [{ type: 'text', text }] }] });

/** What the first response asked: the approval id, the call, and the assistant message id. */
export function waitingOf(chunks: readonly Chunk[]): { approvalId: string; toolCallId: string; messageId: string; input: Record<string, unknown>; signature?: string } {
  const request = chunks.find((c) => c.type === 'tool-approval-request')!;
  const call = chunks.find((c) => c.type === 'tool-input-available' && c.toolCallId === request.toolCallId)!;
  return {
    approvalId: request.approvalId as string, toolCallId: request.toolCallId as string, messageId: chunks[0].messageId as string,
    input: call.input as Record<string, unknown>, ...(typeof request.signature === 'string' && { signature: request.signature }),
  };
}

/**
 * The second request as the `ai` client sends it after `addToolApprovalResponse` (shape recorded
 * from ai 7.0.185): the same assistant message again, its tool part answered.
 */
export function decisionBody(id: string, waiting: ReturnType<typeof waitingOf>, answer: { approved: boolean; reason?: string; input?: Record<string, unknown> }) {
  return {
    id, trigger: 'submit-message', messageId: waiting.messageId,
    messages: [
      askBody(id).messages[0],
      {
        id: waiting.messageId, role: 'assistant', parts: [
          { type: 'step-start' },
          { type: 'text', text: '好的，我来发邮件。', state: 'done' },
          {
            type: 'tool-send_email', toolCallId: waiting.toolCallId, state: 'approval-responded', input: answer.input ?? waiting.input,
            approval: { id: waiting.approvalId, approved: answer.approved, ...(answer.reason !== undefined && { reason: answer.reason }), ...(waiting.signature !== undefined && { signature: waiting.signature }) },
          },
        ],
      },
    ],
  };
}
