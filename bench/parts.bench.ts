/**
 * Part-stream benchmarks (issue 16), as ratios measured side by side in one run: the CPU
 * time of this process (in-process sources), median of 15 interleaved rounds with the range:
 *  1. toParts() over 200,000 mixed chunks (text, reasoning, tool calls in fragments,
 *     finish and usage chunks, tool messages; a new message id per step) vs a
 *     hand-written switch loop doing the same assembly (same parts, checked);
 *  2. fromAgent over a createAgent agent (offline model, two tool steps, a long answer)
 *     vs a hand-written `for await` over `agent.stream(...)` with the same stream modes that
 *     delivers the same parts (checked): the same switch as 1 over the `messages` tuples, and
 *     the finish-reason callback handler a provider like ChatOpenAI needs (decision 0360).
 *     A raw loop that only counts the tuples is shown beside it, without a goal.
 */
import { from, lastValueFrom, tap } from 'rxjs';
import { AIMessageChunk, ToolMessage, type BaseMessage, type UsageMetadata } from '@langchain/core/messages';
import { BaseCallbackHandler, type HandleLLMNewTokenCallbackFields } from '@langchain/core/callbacks/base';
import { createAgent } from 'langchain';
import { fromAgent, toParts, type StreamPart } from '../src';
import { createOfflineTools, ScriptedChatModel } from '../src/offline';
import { fmtRatio, fmtStats, interleave, ratioOf, verdict, type Stats } from './measure';

const ROUNDS = 15;

let seed = 7;
const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
const WORDS = ['Python', ' 是', '一种', '解释', '型语言', '，', ' 语法', '简洁', ' 🐍', ' data', ' science', '。', '\n'];

/** 200,000 chunks the way an agent's model streams them. */
export function mixedChunks(total: number): Array<AIMessageChunk | ToolMessage> {
  const out: Array<AIMessageChunk | ToolMessage> = [];
  for (let message = 0; out.length < total; message++) {
    const id = `msg-${message}`;
    out.push(new AIMessageChunk({ content: '', id }));
    if (rand(4) === 0) for (let i = 0; i < 5; i++) out.push(new AIMessageChunk({ content: '', id, additional_kwargs: { reasoning_content: '想' } }));
    const words = 10 + rand(60);
    for (let i = 0; i < words; i++) out.push(new AIMessageChunk({ content: WORDS[rand(WORDS.length)], id }));
    const calls = rand(3);
    for (let c = 0; c < calls; c++) {
      const args = JSON.stringify({ version: `3.${rand(14)}`, note: '猫 😀' });
      out.push(new AIMessageChunk({ content: '', id, tool_call_chunks: [{ index: c, id: `call-${message}-${c}`, name: 'python_release', args: '', type: 'tool_call_chunk' }] }));
      for (let at = 0; at < args.length; at += 4) {
        out.push(new AIMessageChunk({ content: '', id, tool_call_chunks: [{ index: c, args: args.slice(at, at + 4), type: 'tool_call_chunk' }] }));
      }
    }
    out.push(new AIMessageChunk({ content: '', id, response_metadata: { finish_reason: calls > 0 ? 'tool_calls' : 'stop' } }));
    out.push(new AIMessageChunk({ content: '', id, usage_metadata: { input_tokens: 20, output_tokens: words, total_tokens: 20 + words } }));
    for (let c = 0; c < calls; c++) out.push(new ToolMessage({ content: '{"released":"2008-12-03"}', tool_call_id: `call-${message}-${c}`, name: 'python_release' }));
  }
  return out.slice(0, total);
}

interface HandCall {
  index: number;
  id: string;
  name: string;
  args: string;
  done: boolean;
}

/** Tool-call arguments as an object, or undefined for invalid JSON / not an object. */
function parse(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Summed usage. */
const add = (a: UsageMetadata | undefined, b: UsageMetadata): UsageMetadata =>
  a ? { input_tokens: a.input_tokens + b.input_tokens, output_tokens: a.output_tokens + b.output_tokens, total_tokens: a.total_tokens + b.total_tokens } : b;

/** A hand-written assembler: `push` a chunk or tool message (with the graph node it came from, if any), `end` when the stream is over. */
export interface HandAssembler {
  push(chunk: AIMessageChunk | ToolMessage, node?: string): void;
  end(): void;
  /** Every chunk of an array, then `end`. */
  all(chunks: ReadonlyArray<AIMessageChunk | ToolMessage>): void;
}

/**
 * What a user writes by hand for the same parts: one switch over the chunk type. The node a
 * value came from is written on its parts, as `fromAgent` does (a step's closing parts carry
 * the step's node, though a tool message of another node closes it).
 */
export function handAssembler(emit: (part: StreamPart) => void, nodes = false): HandAssembler {
  let step = -1;
  let open = false;
  let id: string | undefined;
  let calls: HandCall[] = [];
  let usage: UsageMetadata | undefined;
  let reason: string | undefined;
  let runUsage: UsageMetadata | undefined;
  let runReason: string | undefined;
  let node: string | undefined;
  let stepNode: string | undefined;
  const names = new Map<string, string>();
  const out = nodes
    ? (part: StreamPart): void => {
        if (node !== undefined) (part as { node?: string }).node = node;
        emit(part);
      }
    : emit;
  const finishCall = (c: HandCall): void => {
    if (c.done) return;
    c.done = true;
    const args = c.args.trim() === '' ? {} : parse(c.args);
    out(args ? { type: 'tool-call', id: c.id, name: c.name, args } : { type: 'tool-call', id: c.id, name: c.name, args: {}, invalid: true, argsText: c.args });
  };
  const close = (): void => {
    if (!open) return;
    open = false;
    const from = node;
    node = stepNode;
    for (const c of calls) finishCall(c);
    if (usage) {
      runUsage = add(runUsage, usage);
      out({ type: 'usage', usage });
    }
    if (reason !== undefined) runReason = reason;
    out({ type: 'step-finish', step, ...(reason !== undefined && { finishReason: reason }), ...(usage && { usage }) });
    node = from;
  };
  const push = (chunk: AIMessageChunk | ToolMessage, from?: string): void => {
    if (nodes) node = from;
    switch (chunk.type) {
      case 'tool': {
        close();
        const callId = (chunk as ToolMessage).tool_call_id;
        out({ type: 'tool-result', id: callId, name: chunk.name ?? names.get(callId) ?? '', content: chunk.content, isError: (chunk as ToolMessage).status === 'error' });
        break;
      }
      case 'ai': {
        const c = chunk as AIMessageChunk;
        if (open && c.id !== undefined && id !== undefined && c.id !== id) close();
        if (!open) {
          open = true;
          step++;
          id = c.id;
          calls = [];
          usage = undefined;
          reason = undefined;
          stepNode = node;
          out({ type: 'step-start', step });
        }
        const r = c.additional_kwargs.reasoning_content;
        if (typeof r === 'string' && r.length > 0) out({ type: 'reasoning', text: r });
        if (typeof c.content === 'string' && c.content.length > 0) out({ type: 'text', text: c.content });
        for (const tc of c.tool_call_chunks ?? []) {
          let call = calls.find((x) => x.index === tc.index);
          if (!call) {
            for (const x of calls) if (!x.done && x.args.length > 0 && parse(x.args)) finishCall(x);
            call = { index: tc.index ?? calls.length, id: tc.id ?? '', name: tc.name ?? '', args: '', done: false };
            calls.push(call);
            names.set(call.id, call.name);
            out({ type: 'tool-call-start', id: call.id, name: call.name, index: call.index });
          }
          if (tc.args) {
            call.args += tc.args;
            out({ type: 'tool-call-delta', id: call.id, argsText: tc.args });
          }
        }
        if (c.usage_metadata) usage = add(usage, c.usage_metadata);
        const finish = c.response_metadata.finish_reason;
        if (typeof finish === 'string') {
          reason = finish;
          for (const x of calls) finishCall(x);
        }
        break;
      }
    }
  };
  const end = (): void => {
    node = undefined;
    close();
    emit({ type: 'finish', finishReason: runReason ?? 'unknown', ...(runUsage && { usage: runUsage }) });
  };
  // The baseline must stay as fast as the switch written inline in the loop (line 1's goal was set
  // against that): vs that inline loop this measured 1.01–1.04× and a `for of` over a destructured
  // `push` 1.06–1.11× (21 rounds each, load 20, where the inline loop against itself gave 0.99–1.07×).
  const all = (chunks: ReadonlyArray<AIMessageChunk | ToolMessage>): void => {
    for (let i = 0; i < chunks.length; i++) push(chunks[i]);
    end();
  };
  return { push, end, all };
}

/** {@link handAssembler} over an array. */
export function handAssemble(chunks: ReadonlyArray<AIMessageChunk | ToolMessage>, emit: (part: StreamPart) => void): void {
  handAssembler(emit).all(chunks);
}

/** Prints a side-by-side line: each side's CPU time and the ratio against its goal. */
function report(label: string, a: Stats, b: Stats, names: [string, string], goal?: number): void {
  const ratio = ratioOf(a, b);
  console.log(`\n${label}`);
  console.log(`   CPU ${names[0]} ${fmtStats(a)}, ${names[1]} ${fmtStats(b)}`);
  console.log(`   ratio ${fmtRatio(ratio)}${goal === undefined ? ' (shown, no goal)' : `, goal ≤ ${goal}×: ${verdict(ratio.median, goal)}`}`);
}

async function toPartsVsHand(): Promise<void> {
  const chunks = mixedChunks(200_000);
  const viaRx = (sink: (p: StreamPart) => void): void => void from(chunks).pipe(toParts()).subscribe(sink);
  const byHand = (sink: (p: StreamPart) => void): void => handAssemble(chunks, sink);
  const a: StreamPart[] = [];
  const b: StreamPart[] = [];
  viaRx((p) => a.push(p));
  byHand((p) => b.push(p));
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('toParts and the hand-written loop disagree');
  let n = 0;
  const sink = (p: StreamPart): void => {
    if (p.type === 'text') n += p.text.length;
    else n++;
  };
  const r = await interleave({ rx: () => viaRx(sink), hand: () => byHand(sink) }, { cpu: true, rounds: ROUNDS });
  report(
    `1. toParts() vs a hand-written switch loop: ${chunks.length.toLocaleString('en')} mixed chunks → ${a.length.toLocaleString('en')} parts (${ROUNDS} interleaved rounds)`,
    r.rx, r.hand, ['toParts()', 'hand-written loop'], 1.2,
  );
  if (n < 0) console.log(n);
}

/**
 * The hand-written finish-reason restorer a user of `agent.stream()` needs for the same
 * information: LangGraph's `messages` mode leaves the provider's finish reason in
 * generation info (ChatOpenAI reports it nowhere else; decision 0116, 0360).
 */
class HandFinishReasons extends BaseCallbackHandler {
  name = 'hand-finish-reasons';
  override awaitHandlers = true;
  override handleLLMNewToken(_t: string, _i: unknown, _r: string, _p?: string, _tags?: string[], fields?: HandleLLMNewTokenCallbackFields): void {
    const chunk = fields?.chunk as { generationInfo?: Record<string, unknown>; message?: { response_metadata?: Record<string, unknown> } } | undefined;
    const reason = chunk?.generationInfo?.finish_reason;
    if (reason !== undefined && chunk?.message) chunk.message.response_metadata = { ...chunk.generationInfo, ...chunk.message.response_metadata };
  }
}

/** The same parts by hand from `agent.stream()`'s tuples: model chunks and tool messages of `messages` mode, with their node. */
function handTuple(hand: HandAssembler, value: unknown): void {
  const [, mode, data] = value as [string[], string, [AIMessageChunk | ToolMessage, { langgraph_node?: string }]];
  if (mode !== 'messages') return;
  const [message, metadata] = data;
  if (message.type === 'ai' || message.type === 'tool') hand.push(message, metadata.langgraph_node);
}

async function fromAgentVsRaw(): Promise<void> {
  const reply = (messages: BaseMessage[]) =>
    messages.some((m) => m.getType() === 'tool')
      ? { text: ('Python 3.0 于 2008 年 12 月 3 日发布，再过 16 年是 2024 年。It is popular 🐍. ').repeat(60) }
      : { toolCalls: [{ name: 'python_release', args: { version: '3.0' } }, { name: 'add', args: { a: 2008, b: 16 } }] };
  const agent = createAgent({ model: new ScriptedChatModel({ reply }), tools: createOfflineTools() });
  const input = { messages: [{ role: 'user', content: 'Python 3.0 是哪一年发布的？再过 16 年是哪一年？' }] };
  const finishReasons = new HandFinishReasons();
  const streamMode = ['messages', 'updates', 'custom'] as const;
  const REPEAT = 3; // agent runs per sample
  let values = 0;
  const raw = async (): Promise<void> => {
    for (let r = 0; r < REPEAT; r++) {
      const stream = await agent.stream(input, { streamMode: [...streamMode], subgraphs: true, signal: new AbortController().signal });
      for await (const _ of stream) values++;
    }
  };
  const hand = async (sink: (p: StreamPart) => void): Promise<void> => {
    for (let r = 0; r < REPEAT; r++) {
      const stream = await agent.stream(input, { streamMode: [...streamMode], subgraphs: true, signal: new AbortController().signal, callbacks: [finishReasons] });
      const assembler = handAssembler(sink, true);
      for await (const value of stream) handTuple(assembler, value);
      assembler.end();
    }
  };
  const rx = async (sink: (p: StreamPart) => void): Promise<void> => {
    for (let r = 0; r < REPEAT; r++) await lastValueFrom(fromAgent(agent, input).pipe(tap(sink)), { defaultValue: undefined });
  };
  const a: StreamPart[] = [];
  const b: StreamPart[] = [];
  await rx((p) => void a.push(p));
  await hand((p) => void b.push(p));
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('fromAgent and the hand-written loop over agent.stream() disagree');
  await raw();
  const perRun = values / REPEAT;
  let n = 0;
  const sink = (p: StreamPart): void => void n++;
  const r = await interleave({ rx: () => rx(sink), hand: () => hand(sink), raw }, { cpu: true, rounds: ROUNDS });
  report(
    `2. fromAgent vs a hand-written loop over agent.stream() (createAgent, offline model: ${perRun} stream values → ${a.length / REPEAT} parts per run, same parts checked, ${REPEAT} runs per sample, ${ROUNDS} interleaved rounds; the loop adds the finish-reason callback fromAgent adds, decision 0360)`,
    r.rx, r.hand, ['fromAgent → parts', 'hand loop → parts'], 1.1,
  );
  report('   the same vs a raw for-await that only counts the tuples (no finish reasons for ChatOpenAI, no parts)', r.rx, r.raw, ['fromAgent → parts', 'raw tuples']);
  if (n < 0) console.log(n);
}

export async function run(): Promise<void> {
  await toPartsVsHand();
  await fromAgentVsRaw();
}
