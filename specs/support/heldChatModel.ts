/**
 * The offline model with a hold in the middle of a text reply: after `holdAfter` text tokens it
 * waits on a {@link ToolGate} while `gate.held` (a spec then knows a message is half streamed,
 * whatever the machine's load), and goes on at `gate.release()`. Replies without text (tool calls)
 * never stop. `bindTools` (what `createAgent` calls) keeps the hold.
 */
import type { BaseChatModelCallOptions, BindToolsInput } from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import type { ChatGenerationChunk } from '@langchain/core/outputs';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { ScriptedChatModel, type ScriptedChatModelParams } from '../../src/offline';
import type { ToolGate } from './agentProtocol';

export class HeldChatModel extends ScriptedChatModel {
  constructor(
    private readonly gate: ToolGate,
    private readonly params: ScriptedChatModelParams & { holdAfter: number },
  ) {
    super(params);
  }

  override bindTools(tools: BindToolsInput[], _kwargs?: Partial<BaseChatModelCallOptions>): HeldChatModel {
    return new HeldChatModel(this.gate, { ...this.params, tools: [...this.tools, ...tools] });
  }

  override async *_streamResponseChunks(messages: BaseMessage[], options: this['ParsedCallOptions'], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    let texts = 0;
    for await (const chunk of super._streamResponseChunks(messages, options, runManager)) {
      // Before yielding token `holdAfter + 1`: the first `holdAfter` tokens have been heard.
      if (chunk.text !== '' && texts++ === this.params.holdAfter) await this.gate.pass(options.signal);
      yield chunk;
    }
  }
}
