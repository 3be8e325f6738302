import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
} from '@langchain/core/language_models/chat_models';
import { AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { generateFromStream } from '../internal/generateFromStream';
import { sleep } from '../internal/sleep';
import { textOf } from '../internal/text';
import { assertNonNegative, assertFunction } from '../internal/validate';
import { replyTo } from './cannedReplies';
import { tokenize } from './tokenize';

/** Options of {@link ScriptedChatModel}. */
export interface ScriptedChatModelParams extends BaseChatModelParams {
  /** Fixed reply, or a function of the prompt messages. Default: canned/generated replies. */
  reply?: string | ((messages: BaseMessage[]) => string);
  /** Delay before the first token, ms. Default 0. */
  firstTokenMs?: number;
  /** Delay between tokens, ms. Default 0 (no timers at all). */
  tokenMs?: number;
  /** Called with the prompt of every request (invoke or stream), e.g. to assert on history. */
  onRequest?: (messages: BaseMessage[]) => void;
  /** Model name reported in `response_metadata.model_name`. Default 'scripted-offline'. */
  modelName?: string;
}

/**
 * Demo latency for {@link ScriptedChatModel}: feels like a hosted model
 * (≈ 40 tokens/s after ~350 ms), `{ firstTokenMs: 350, tokenMs: 25 }`.
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
export const REALISTIC_LATENCY = { firstTokenMs: 350, tokenMs: 25 } as const;

/**
 * The embedded offline chat model. A real LangChain `BaseChatModel`, so
 * callbacks, `streamEvents`, `signal`, `.pipe()` chains and history behave as
 * with a hosted provider, but replies are deterministic and need no network.
 *
 * Tokens look like an LLM's (words, punctuation, CJK 1–2 characters, whole
 * emoji). The last chunk carries `usage_metadata`. With zero latency it
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
 * @param params `reply` (a string, or a function of the messages; default: canned replies), `firstTokenMs`, `tokenMs`, `onRequest`, `modelName`.
 */
export class ScriptedChatModel extends BaseChatModel<BaseChatModelCallOptions> {
  readonly reply?: string | ((messages: BaseMessage[]) => string);
  readonly firstTokenMs: number;
  readonly tokenMs: number;
  readonly onRequest?: (messages: BaseMessage[]) => void;
  readonly modelName: string;
  /** Replies repeat (demos, benches): tokenizing once per distinct reply keeps the hot loop to yielding. */
  private readonly tokenCache = new Map<string, readonly string[]>();

  static override lc_name(): string {
    return 'ScriptedChatModel';
  }

  constructor(params: ScriptedChatModelParams = {}) {
    super(params);
    if (params.reply !== undefined && typeof params.reply !== 'string') {
      assertFunction('ScriptedChatModel: reply', params.reply);
    }
    assertNonNegative('ScriptedChatModel: firstTokenMs', params.firstTokenMs);
    assertNonNegative('ScriptedChatModel: tokenMs', params.tokenMs);
    assertFunction('ScriptedChatModel: onRequest', params.onRequest, true);
    this.reply = params.reply;
    this.firstTokenMs = params.firstTokenMs ?? 0;
    this.tokenMs = params.tokenMs ?? 0;
    this.onRequest = params.onRequest;
    this.modelName = params.modelName ?? 'scripted-offline';
  }

  _llmType(): string {
    return 'scripted';
  }

  /** The full reply this model gives to `messages`. */
  replyFor(messages: BaseMessage[]): string {
    if (typeof this.reply === 'string') return this.reply;
    if (typeof this.reply === 'function') return this.reply(messages);
    const lastHuman = [...messages].reverse().find((m) => m.getType() === 'human');
    return replyTo(lastHuman ? textOf(lastHuman, 'ScriptedChatModel') : '');
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    this.onRequest?.(messages);
    const signal = options.signal;
    const tokens = this.tokensOf(this.replyFor(messages));
    const inputTokens = messages.reduce((n, m) => n + tokenize(textOf(m, 'ScriptedChatModel')).length, 0);
    if (this.firstTokenMs > 0) await sleep(this.firstTokenMs, signal);
    for (let i = 0; i < tokens.length; i++) {
      signal?.throwIfAborted();
      if (i > 0 && this.tokenMs > 0) await sleep(this.tokenMs, signal);
      const last = i === tokens.length - 1;
      const message = new AIMessageChunk({
        content: tokens[i],
        ...(last && {
          usage_metadata: {
            input_tokens: inputTokens,
            output_tokens: tokens.length,
            total_tokens: inputTokens + tokens.length,
          },
          response_metadata: { finish_reason: 'stop', model_name: this.modelName },
        }),
      });
      const chunk = new ChatGenerationChunk({ text: tokens[i], message });
      yield chunk;
      if (runManager) await runManager.handleLLMNewToken(tokens[i], undefined, undefined, undefined, undefined, { chunk });
    }
    if (tokens.length === 0) {
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
