import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { BadUIMessagesError } from '../errors';
import { assertObject, assertPositiveInteger, describe } from '../internal/validate';

/** Options of {@link fromUIMessages}. */
export interface FromUIMessagesOptions {
  /** Most parts accepted over all messages. Default 2000. */
  maxParts?: number;
  /** Most characters (code points) of text and tool output accepted over all messages (file URLs are bounded by the body cap). Default 200,000. */
  maxChars?: number;
}

/** The tool part states that carry a result the model must see. */
const RESULT_STATES = new Set(['output-available', 'output-error', 'output-denied']);
/** The tool part states of a call without a result yet: such calls are left out. */
const PENDING_STATES = new Set(['input-streaming', 'input-available', 'approval-requested', 'approval-responded']);
/** Part types with nothing for the model. */
const IGNORED_PARTS = new Set(['reasoning', 'source-url', 'source-document']);

type Json = Record<string, unknown>;
type ContentBlock = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

interface PendingStep {
  blocks: ContentBlock[];
  calls: { id: string; name: string; args: Record<string, unknown> }[];
  results: ToolMessage[];
}

/**
 * Turns the `messages` of an AI SDK chat request (`useChat` / `Chat` POST
 * `{ id, messages, trigger, messageId }`) into LangChain messages for a model or agent:
 * `system` → `SystemMessage`, `user` → `HumanMessage` (text, and image `file` parts as
 * `image_url` blocks), `assistant` → per step an `AIMessage` with its text and
 * `tool_calls`, followed by one `ToolMessage` per tool result (`output-error` and
 * `output-denied` as `status: 'error'`). Tool calls that never got a result (still
 * streaming, waiting for approval) are left out, so the next model call never sees a call
 * without its answer. Reasoning, sources, `step-start` and `data-*` parts carry nothing for
 * the model and are skipped.
 *
 * Bad input never crashes a server: not an array, a message or part of the wrong shape, an
 * unknown part type or state, more than `maxParts` parts or `maxChars` characters all throw
 * a `BadUIMessagesError` whose `status` (400, or 413 for a limit) and message say what is
 * wrong and where (`messages[2].parts[0].type`).
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, fromUIMessages, toUIMessageStreamResponse, BadUIMessagesError } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * export async function POST(request: Request): Promise<Response> {
 *   try {
 *     const { messages } = (await request.json()) as { messages: unknown };
 *     return toUIMessageStreamResponse(fromRunnable(model, fromUIMessages(messages)));
 *   } catch (e) {
 *     if (e instanceof BadUIMessagesError) return Response.json({ error: e.message }, { status: e.status });
 *     throw e;
 *   }
 * }
 * ```
 *
 * @param messages The request body's `messages` (validated here: pass it as parsed).
 * @param options Size limits.
 * @returns The conversation as LangChain messages, in order.
 * @see toUIMessageStream
 */
export function fromUIMessages(messages: unknown, options: FromUIMessagesOptions = {}): BaseMessage[] {
  assertObject('fromUIMessages: options', options);
  assertPositiveInteger('fromUIMessages: maxParts', options.maxParts);
  assertPositiveInteger('fromUIMessages: maxChars', options.maxChars);
  const maxParts = options.maxParts ?? 2000;
  const maxChars = options.maxChars ?? 200_000;
  if (!Array.isArray(messages)) {
    throw new BadUIMessagesError('messages', `must be an array of UIMessages ({ id, role, parts }), got ${describe(messages)}`);
  }
  let parts = 0;
  const count = charCounter(maxChars);
  const out: BaseMessage[] = [];
  messages.forEach((message: unknown, m) => {
    const at = `messages[${m}]`;
    if (!isObject(message)) throw new BadUIMessagesError(at, `must be a UIMessage object ({ id, role, parts }), got ${describe(message)}`);
    const { role } = message;
    if (role !== 'system' && role !== 'user' && role !== 'assistant') {
      throw new BadUIMessagesError(`${at}.role`, `must be 'system', 'user' or 'assistant', got ${describe(role)}`);
    }
    if (!Array.isArray(message.parts)) throw new BadUIMessagesError(`${at}.parts`, `must be an array, got ${describe(message.parts)}`);
    parts += message.parts.length;
    if (parts > maxParts) throw new BadUIMessagesError(`${at}.parts`, `the messages hold more than ${maxParts} parts (maxParts)`, 413);
    out.push(...messagesOf(role, message.parts, at, count));
  });
  return out;
}

type Role = 'system' | 'user' | 'assistant';
type Count = (path: string, text: string) => string;

/**
 * Counts the characters of every text it is given, throwing once they pass `maxChars`. Counts
 * UTF-16 units (an upper bound of code points) and code points exactly only past the limit.
 */
function charCounter(maxChars: number): Count {
  let units = 0;
  let texts: string[] = [];
  return (path, text) => {
    units += text.length;
    texts.push(text);
    if (units > maxChars) {
      let chars = 0;
      for (const t of texts) for (const _ of t) chars++;
      texts = [];
      units = chars;
      if (chars > maxChars) throw new BadUIMessagesError(path, `the messages hold more than ${maxChars} characters (maxChars)`, 413);
    }
    return text;
  };
}

/** The LangChain messages of one UI message: one for a system or user message, per step an AIMessage and its ToolMessages for an assistant's. */
function messagesOf(role: Role, parts: unknown[], at: string, count: Count): BaseMessage[] {
  const out: BaseMessage[] = [];
  let step: PendingStep = { blocks: [], calls: [], results: [] };
  const flush = (): void => {
    if (role === 'assistant' && (step.blocks.length > 0 || step.calls.length > 0)) {
      out.push(new AIMessage({ content: contentOf(step.blocks), ...(step.calls.length > 0 && { tool_calls: step.calls.map((c) => ({ ...c, type: 'tool_call' as const })) }) }));
      out.push(...step.results);
    }
    step = { blocks: [], calls: [], results: [] };
  };
  parts.forEach((part: unknown, p) => {
    const where = `${at}.parts[${p}]`;
    if (!isObject(part) || typeof part.type !== 'string') {
      throw new BadUIMessagesError(where, `must be a part object with a string type, got ${describe(part)}`);
    }
    // text after a tool call, or a step-start: the model's next step
    if ((part.type === 'text' && role === 'assistant' && step.calls.length > 0) || part.type === 'step-start') flush();
    addPart(part, part.type, role, where, step, count);
  });
  if (role === 'assistant') flush();
  else if (role === 'system') out.push(new SystemMessage({ content: contentOf(step.blocks) }));
  else out.push(new HumanMessage({ content: contentOf(step.blocks) }));
  return out;
}

/** Adds one part to the current step (a step-start has already flushed it), or throws if the part is not valid here. */
function addPart(part: Json, type: string, role: Role, where: string, step: PendingStep, count: Count): void {
  if (type === 'text') {
    const text = stringField(part, 'text', where);
    if (text.length > 0) step.blocks.push({ type: 'text', text: count(`${where}.text`, text) });
  } else if (type === 'file') {
    const mediaType = stringField(part, 'mediaType', where);
    const url = stringField(part, 'url', where);
    if (role !== 'user' || !mediaType.startsWith('image/')) {
      throw new BadUIMessagesError(where, `only image files in user messages are supported, got ${JSON.stringify(mediaType)} in a ${role} message`);
    }
    step.blocks.push({ type: 'image_url', image_url: { url } });
  } else if (type === 'dynamic-tool' || type.startsWith('tool-')) {
    if (role !== 'assistant') throw new BadUIMessagesError(`${where}.type`, `tool parts belong to assistant messages, got one in a ${role} message`);
    const name = type === 'dynamic-tool' ? stringField(part, 'toolName', where) : type.slice('tool-'.length);
    toolPart(part, name, where, step, count);
  } else if (type !== 'step-start' && !IGNORED_PARTS.has(type) && !type.startsWith('data-')) {
    throw new BadUIMessagesError(`${where}.type`, `unknown part type ${JSON.stringify(type)} (known: text, file, reasoning, tool-<name>, dynamic-tool, step-start, source-url, source-document, data-<name>)`);
  }
}

function toolPart(part: Json, name: string, where: string, step: PendingStep, count: Count): void {
  if (name === '') throw new BadUIMessagesError(`${where}.type`, 'a tool part needs a tool name (tool-<name>)');
  const id = stringField(part, 'toolCallId', where);
  const state = part.state;
  if (typeof state !== 'string' || (!RESULT_STATES.has(state) && !PENDING_STATES.has(state))) {
    throw new BadUIMessagesError(`${where}.state`, `unknown tool state ${describe(state)}`);
  }
  if (!RESULT_STATES.has(state)) return; // no result yet: leave the call out
  let args: Record<string, unknown> = {};
  if (isObject(part.input)) args = part.input;
  else if (part.input !== undefined && part.input !== null && state !== 'output-error') {
    throw new BadUIMessagesError(`${where}.input`, `must be an object of tool arguments, got ${describe(part.input)}`);
  }
  step.calls.push({ id, name, args });
  if (state === 'output-available') {
    const output = part.output;
    const content = typeof output === 'string' ? output : JSON.stringify(output ?? null);
    step.results.push(new ToolMessage({ content: count(`${where}.output`, content), tool_call_id: id, name }));
  } else if (state === 'output-error') {
    const errorText = typeof part.errorText === 'string' ? part.errorText : 'The tool failed.';
    step.results.push(new ToolMessage({ content: count(`${where}.errorText`, errorText), tool_call_id: id, name, status: 'error' }));
  } else {
    const reason = isObject(part.approval) && typeof part.approval.reason === 'string' ? `: ${part.approval.reason}` : '.';
    step.results.push(new ToolMessage({ content: count(`${where}.approval`, `The user denied this tool call${reason}`), tool_call_id: id, name, status: 'error' }));
  }
}

function contentOf(blocks: ContentBlock[]): string | ContentBlock[] {
  if (blocks.length === 0) return '';
  if (blocks.length === 1 && blocks[0].type === 'text') return blocks[0].text;
  return blocks;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(part: Json, field: string, where: string): string {
  const value = part[field];
  if (typeof value !== 'string') throw new BadUIMessagesError(`${where}.${field}`, `must be a string, got ${describe(value)}`);
  return value;
}
