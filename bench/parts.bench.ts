/**
 * Part-stream benchmarks (issue 16), as ratios measured side by side in one run,
 * median of 11 interleaved runs with the range:
 *  1. toParts() over 200,000 mixed chunks (text, reasoning, tool calls in fragments,
 *     finish and usage chunks, tool messages; a new message id per step) vs a
 *     hand-written switch loop doing the same assembly (same parts, checked);
 *  2. fromAgent over a createAgent agent (offline model, two tool steps, a long answer)
 *     vs a raw `for await` over `agent.stream(...)` with the same stream modes.
 */
import { from, lastValueFrom, count } from 'rxjs';
import { AIMessageChunk, ToolMessage, type BaseMessage, type UsageMetadata } from '@langchain/core/messages';
import { createAgent } from 'langchain';
import { fromAgent, toParts, type StreamPart } from '../src';
import { createOfflineTools, ScriptedChatModel } from '../src/offline';

const RUNS = 15;

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

/** What a user writes by hand for the same parts: one switch over the chunk type. */
export function handAssemble(chunks: ReadonlyArray<AIMessageChunk | ToolMessage>, emit: (part: StreamPart) => void): void {
  let step = -1;
  let open = false;
  let id: string | undefined;
  let calls: HandCall[] = [];
  let usage: UsageMetadata | undefined;
  let reason: string | undefined;
  let runUsage: UsageMetadata | undefined;
  let runReason: string | undefined;
  const names = new Map<string, string>();
  const finishCall = (c: HandCall): void => {
    if (c.done) return;
    c.done = true;
    const args = c.args.trim() === '' ? {} : parse(c.args);
    emit(args ? { type: 'tool-call', id: c.id, name: c.name, args } : { type: 'tool-call', id: c.id, name: c.name, args: {}, invalid: true, argsText: c.args });
  };
  const close = (): void => {
    if (!open) return;
    open = false;
    for (const c of calls) finishCall(c);
    if (usage) {
      runUsage = add(runUsage, usage);
      emit({ type: 'usage', usage });
    }
    if (reason !== undefined) runReason = reason;
    emit({ type: 'step-finish', step, ...(reason !== undefined && { finishReason: reason }), ...(usage && { usage }) });
  };
  for (const chunk of chunks) {
    switch (chunk.type) {
      case 'tool': {
        close();
        const callId = (chunk as ToolMessage).tool_call_id;
        emit({ type: 'tool-result', id: callId, name: chunk.name ?? names.get(callId) ?? '', content: chunk.content, isError: (chunk as ToolMessage).status === 'error' });
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
          emit({ type: 'step-start', step });
        }
        const r = c.additional_kwargs.reasoning_content;
        if (typeof r === 'string' && r.length > 0) emit({ type: 'reasoning', text: r });
        if (typeof c.content === 'string' && c.content.length > 0) emit({ type: 'text', text: c.content });
        for (const tc of c.tool_call_chunks ?? []) {
          let call = calls.find((x) => x.index === tc.index);
          if (!call) {
            for (const x of calls) if (!x.done && x.args.length > 0 && parse(x.args)) finishCall(x);
            call = { index: tc.index ?? calls.length, id: tc.id ?? '', name: tc.name ?? '', args: '', done: false };
            calls.push(call);
            names.set(call.id, call.name);
            emit({ type: 'tool-call-start', id: call.id, name: call.name, index: call.index });
          }
          if (tc.args) {
            call.args += tc.args;
            emit({ type: 'tool-call-delta', id: call.id, argsText: tc.args });
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
  }
  close();
  emit({ type: 'finish', finishReason: runReason ?? 'unknown', ...(runUsage && { usage: runUsage }) });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

/**
 * Runs a and b alternately RUNS times (after a warm-up) and prints medians, ratio and range, for
 * wall time and for this process's CPU time (user + system: what other processes on a loaded
 * machine cannot add to).
 */
async function sideBySide(label: string, goal: number, a: () => Promise<void> | void, b: () => Promise<void> | void, names: [string, string]): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await a();
    await b();
  }
  const wall: [number[], number[]] = [[], []];
  const cpu: [number[], number[]] = [[], []];
  const timed = async (f: () => Promise<void> | void, side: 0 | 1): Promise<void> => {
    const c = process.cpuUsage();
    const t = performance.now();
    await f();
    wall[side].push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu[side].push((used.user + used.system) / 1000);
  };
  // Interleaved, and the order flips every run, so drift and GC debt hit both sides alike.
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      await timed(a, 0);
      await timed(b, 1);
    } else {
      await timed(b, 1);
      await timed(a, 0);
    }
  }
  console.log(`\n${label}`);
  for (const [what, [ta, tb]] of [['wall', wall], ['cpu', cpu]] as const) {
    const ratios = ta.map((x, i) => x / tb[i]);
    console.log(`   ${what.padEnd(4)} ${names[0]} median ${fmt(median(ta))} ms (${fmt(Math.min(...ta))}–${fmt(Math.max(...ta))}), ${names[1]} median ${fmt(median(tb))} ms (${fmt(Math.min(...tb))}–${fmt(Math.max(...tb))})`);
    console.log(`        ratio median ${median(ratios).toFixed(2)}× (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}, ${RUNS} interleaved runs; goal ≤ ${goal}×)`);
  }
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
  await sideBySide(
    `1. toParts() vs a hand-written switch loop: ${chunks.length.toLocaleString('en')} mixed chunks → ${a.length.toLocaleString('en')} parts`,
    1.2,
    () => viaRx(sink),
    () => byHand(sink),
    ['toParts()', 'hand-written loop'],
  );
  if (n < 0) console.log(n);
}

async function fromAgentVsRaw(): Promise<void> {
  const reply = (messages: BaseMessage[]) =>
    messages.some((m) => m.getType() === 'tool')
      ? { text: ('Python 3.0 于 2008 年 12 月 3 日发布，再过 16 年是 2024 年。It is popular 🐍. ').repeat(60) }
      : { toolCalls: [{ name: 'python_release', args: { version: '3.0' } }, { name: 'add', args: { a: 2008, b: 16 } }] };
  const agent = createAgent({ model: new ScriptedChatModel({ reply }), tools: createOfflineTools() });
  const input = { messages: [{ role: 'user', content: 'Python 3.0 是哪一年发布的？再过 16 年是哪一年？' }] };
  const REPEAT = 3; // agent runs per sample
  let values = 0;
  const raw = async (): Promise<void> => {
    for (let r = 0; r < REPEAT; r++) {
      const controller = new AbortController();
      const stream = await agent.stream(input, { streamMode: ['messages', 'updates', 'custom'], subgraphs: true, signal: controller.signal });
      for await (const _ of stream) values++;
    }
  };
  let parts = 0;
  const rx = async (): Promise<void> => {
    for (let r = 0; r < REPEAT; r++) parts = await lastValueFrom(fromAgent(agent, input).pipe(count()));
  };
  await raw();
  const perRun = values / REPEAT;
  await sideBySide(
    `2. fromAgent vs a raw for-await over agent.stream() (createAgent, offline model: ${perRun} stream values → ${(await rx(), parts)} parts per run, ${REPEAT} runs per sample)`,
    1.1,
    rx,
    raw,
    ['fromAgent → parts', 'for await (raw tuples)'],
  );
}

export async function run(): Promise<void> {
  await toPartsVsHand();
  await fromAgentVsRaw();
}
