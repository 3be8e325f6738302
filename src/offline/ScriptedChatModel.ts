import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
} from '@langchain/core/language_models/chat_models';
import { AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { generateFromStream } from '../internal/generateFromStream';
import { sleep } from '../internal/sleep';
import { textOf } from '../decode/text';
import { assertNonNegative, assertFunction, describe } from '../internal/validate';
import { agentReplyTo, type ScriptedReply } from './agentScript';
import { replyTo } from './cannedReplies';
import { tokenize } from './tokenize';

/** Options of {@link ScriptedChatModel}. */
export interface ScriptedChatModelParams extends BaseChatModelParams {
  /**
   * Fixed reply, or a function of the prompt messages (and the names of the bound
   * tools). A reply is text, or a {@link ScriptedReply} with reasoning and tool calls.
   * Default: canned/generated replies; with the offline tools bound
   * (`createOfflineTools()`), the offline agent's steps.
   */
  reply?: string | ScriptedReply | ((messages: BaseMessage[], context: ScriptedReplyContext) => string | ScriptedReply);
  /** Tools the model may call (what `bindTools` sets). */
  tools?: readonly BindToolsInput[];
  /** Delay before the first chunk, ms. Default 0. */
  firstChunkDelayMs?: number;
  /** Delay between chunks, ms. Default 0 (no timers at all). */
  chunkDelayMs?: number;
  /** Called with the prompt of every request (invoke or stream), e.g. to assert on history. */
  onRequest?: (messages: BaseMessage[]) => void;
  /** Model name reported in `response_metadata.model_name`. Default 'scripted-offline'. */
  modelName?: string;
}

/** What a reply function gets besides the prompt. */
export interface ScriptedReplyContext {
  /** Names of the bound tools. */
  readonly tools: readonly string[];
}


/**
 * Demo latency for {@link ScriptedChatModel}: feels like a hosted model
 * (≈ 40 chunks/s after ~350 ms), `{ firstChunkDelayMs: 350, chunkDelayMs: 25 }`.
 *
 * @example
 * ```ts
 * import { ScriptedChatModel, REALISTIC_LATENCY } from 'rxjs-langchain/offline';
 *
 * const model = new ScriptedChatModel({ ...REALISTIC_LATENCY });
 * ```
 *
 * @see {@link ScriptedChatModel}
 */
export const REALISTIC_LATENCY = { firstChunkDelayMs: 350, chunkDelayMs: 25 } as const;

/**
 * The embedded offline chat model. A real LangChain `BaseChatModel`, so
 * callbacks, `streamEvents`, `signal`, `.pipe()` chains and history behave as
 * with a hosted provider, but replies are deterministic and need no network.
 *
 * Tokens look like an LLM's (words, punctuation, CJK 1–2 characters, whole
 * emoji). The last chunk carries `usage_metadata`. With tools bound
 * (`bindTools`, as `createAgent` does) a reply may call them: tool calls stream
 * OpenAI-style (id and name, then the JSON arguments in fragments, finish reason
 * `tool_calls`), so an agent runs offline. With zero latency it
 * streams without any timer; with latency it stops promptly on abort, also
 * in the middle of a delay.
 *
 * @example
 * ```ts
 * import { fromRunnable, textContent } from 'rxjs-langchain';
 * import { ScriptedChatModel, REALISTIC_LATENCY } from 'rxjs-langchain/offline';
 *
 * const model = new ScriptedChatModel({ ...REALISTIC_LATENCY });
 * fromRunnable(model, '讲一个关于Python的笑话').pipe(textContent()).subscribe((t) => process.stdout.write(t));
 * ```
 *
 * @see {@link REALISTIC_LATENCY}
 * @see {@link tokenize}, how it splits a reply into chunks.
 * @see `marbleChatModel` (`rxjs-langchain/testing`) for replies in virtual time.
 *
 * @param params `reply` (a string, or a function of the messages; default: canned replies), `firstChunkDelayMs`, `chunkDelayMs`, `onRequest`, `modelName`.
 */
export class ScriptedChatModel extends BaseChatModel<BaseChatModelCallOptions> {
  readonly reply?: ScriptedChatModelParams['reply'];
  readonly tools: readonly BindToolsInput[];
  readonly firstChunkDelayMs: number;
  readonly chunkDelayMs: number;
  readonly onRequest?: (messages: BaseMessage[]) => void;
  readonly modelName: string;
  /** Replies repeat (demos, benches): tokenizing once per distinct reply keeps the hot loop to yielding. */
  private readonly tokenCache = new Map<string, readonly string[]>();
  private readonly scriptedParams: ScriptedChatModelParams;

  static override lc_name(): string {
    return 'ScriptedChatModel';
  }

  constructor(params: ScriptedChatModelParams = {}) {
    super(params);
    if (params.reply !== undefined && typeof params.reply !== 'string' && (typeof params.reply !== 'object' || params.reply === null)) {
      assertFunction('ScriptedChatModel: reply', params.reply);
    }
    if (params.tools !== undefined && !Array.isArray(params.tools)) {
      throw new TypeError(`ScriptedChatModel: tools must be an array, got ${describe(params.tools)}.`);
    }
    this.scriptedParams = params;
    this.tools = params.tools ?? [];
    assertNonNegative('ScriptedChatModel: firstChunkDelayMs', params.firstChunkDelayMs);
    assertNonNegative('ScriptedChatModel: chunkDelayMs', params.chunkDelayMs);
    assertFunction('ScriptedChatModel: onRequest', params.onRequest, true);
    this.reply = params.reply;
    this.firstChunkDelayMs = params.firstChunkDelayMs ?? 0;
    this.chunkDelayMs = params.chunkDelayMs ?? 0;
    this.onRequest = params.onRequest;
    this.modelName = params.modelName ?? 'scripted-offline';
  }

  _llmType(): string {
    return 'scripted';
  }

  /** A copy of this model that may call `tools` (what `createAgent` calls). */
  override bindTools(tools: BindToolsInput[], _kwargs?: Partial<BaseChatModelCallOptions>): ScriptedChatModel {
    if (!Array.isArray(tools)) throw new TypeError(`ScriptedChatModel.bindTools: tools must be an array, got ${describe(tools)}.`);
    return new ScriptedChatModel({ ...this.scriptedParams, tools: [...this.tools, ...tools] });
  }

  /** The text of the reply this model gives to `messages`. */
  replyFor(messages: BaseMessage[]): string {
    return this.scriptFor(messages).text ?? '';
  }

  /** The whole reply (text, reasoning, tool calls) this model gives to `messages`. */
  scriptFor(messages: BaseMessage[]): ScriptedReply {
    const reply = this.reply;
    const context: ScriptedReplyContext = { tools: this.tools.map(toolName).filter((n): n is string => n !== undefined) };
    const value = typeof reply === 'function' ? reply(messages, context) : reply;
    if (typeof value === 'string') return { text: value };
    if (typeof value === 'object' && value !== null) return value;
    if (value !== undefined) throw new TypeError(`ScriptedChatModel: reply() must return a string or { text, reasoning, toolCalls }, got ${describe(value)}.`);
    const agent = agentReplyTo(messages, context.tools);
    if (agent) return agent;
    const lastHuman = [...messages].reverse().find((m) => m.getType() === 'human');
    return { text: replyTo(lastHuman ? textOf(lastHuman, 'ScriptedChatModel') : '') };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    this.onRequest?.(messages);
    const signal = options.signal;
    const script = this.scriptFor(messages);
    const pieces = this.piecesOf(script, messages.length);
    const inputTokens = messages.reduce((n, m) => n + tokenize(textOf(m, 'ScriptedChatModel')).length, 0);
    const finishReason = script.toolCalls && script.toolCalls.length > 0 ? 'tool_calls' : 'stop';
    if (this.firstChunkDelayMs > 0) await sleep(this.firstChunkDelayMs, signal);
    for (let i = 0; i < pieces.length; i++) {
      signal?.throwIfAborted();
      if (i > 0 && this.chunkDelayMs > 0) await sleep(this.chunkDelayMs, signal);
      const last = i === pieces.length - 1;
      const piece = pieces[i];
      const message = new AIMessageChunk({
        content: piece.text ?? '',
        ...(piece.reasoning !== undefined && { additional_kwargs: { reasoning_content: piece.reasoning } }),
        ...(piece.toolCall && { tool_call_chunks: [{ ...piece.toolCall, type: 'tool_call_chunk' as const }] }),
        ...(last && {
          usage_metadata: {
            input_tokens: inputTokens,
            output_tokens: pieces.length,
            total_tokens: inputTokens + pieces.length,
          },
          response_metadata: { finish_reason: finishReason, model_name: this.modelName },
        }),
      });
      const chunk = new ChatGenerationChunk({ text: piece.text ?? '', message });
      yield chunk;
      if (runManager) await runManager.handleLLMNewToken(piece.text ?? '', undefined, undefined, undefined, undefined, { chunk });
    }
    if (pieces.length === 0) {
      yield new ChatGenerationChunk({
        text: '',
        message: new AIMessageChunk({
          content: '',
          usage_metadata: { input_tokens: inputTokens, output_tokens: 0, total_tokens: inputTokens },
          response_metadata: { finish_reason: 'stop', model_name: this.modelName },
        }),
      });
    }
  }

  /** The chunks of a reply: reasoning tokens, text tokens, then each tool call (id and name, argument fragments). */
  private piecesOf(script: ScriptedReply, turn: number): Piece[] {
    const pieces: Piece[] = [];
    if (script.reasoning) for (const t of this.tokensOf(script.reasoning)) pieces.push({ reasoning: t });
    if (script.text) for (const t of this.tokensOf(script.text)) pieces.push({ text: t });
    script.toolCalls?.forEach((call, index) => {
      const id = call.id ?? `call_${turn}_${index}`;
      pieces.push({ toolCall: { index, id, name: call.name, args: '' } });
      for (const args of argumentFragments(JSON.stringify(call.args ?? {}))) pieces.push({ toolCall: { index, args } });
    });
    return pieces;
  }

  private tokensOf(text: string): readonly string[] {
    let tokens = this.tokenCache.get(text);
    if (!tokens) {
      tokens = tokenize(text);
      if (this.tokenCache.size >= 64) this.tokenCache.delete(this.tokenCache.keys().next().value!);
      this.tokenCache.set(text, tokens);
    }
    return tokens;
  }

  override async _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    return generateFromStream(this._streamResponseChunks(messages, options, runManager));
  }
}

interface Piece {
  text?: string;
  reasoning?: string;
  toolCall?: { index: number; id?: string; name?: string; args: string };
}

const FRAGMENT_SIZES = [3, 1, 4, 2, 5];

/** JSON arguments in fragments of 1–5 code points, as providers stream them. */
function argumentFragments(json: string): string[] {
  const points = Array.from(json);
  const out: string[] = [];
  for (let i = 0, k = 0; i < points.length; k++) {
    const n = FRAGMENT_SIZES[k % FRAGMENT_SIZES.length];
    out.push(points.slice(i, i + n).join(''));
    i += n;
  }
  return out;
}

/** The name of a bound tool (a LangChain tool, an OpenAI tool definition, or `{ name }`). */
function toolName(tool: BindToolsInput): string | undefined {
  const t = tool as { name?: unknown; function?: { name?: unknown } };
  if (typeof t.name === 'string') return t.name;
  if (typeof t.function?.name === 'string') return t.function.name;
  return undefined;
}
