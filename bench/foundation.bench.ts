/**
 * Foundation figures, each measured side by side in this run (medians of interleaved
 * rounds with their range, bench/measure.ts):
 * 1. the embedded model's chunks/s at zero latency vs LangChain's FakeStreamingChatModel in
 *    its timer-free form (`chunks: [...]`: no `setTimeout` per chunk);
 * 2. fromRunnable → textContent → collectText vs a hand-written `for await` loop that
 *    passes an AbortSignal too (fromRunnable always does; LangChain races every chunk
 *    against it);
 * 3. collectMessage() vs a raw `for await` + `chunk.concat` through the real ChatOpenAI on
 *    the fake OpenAI server, 20,000 chunks;
 * 4. abort latency: unsubscribe → fake OpenAI server sees the close, and chunks written after it.
 */
import { from, lastValueFrom } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatGenerationChunk } from '@langchain/core/outputs';
import { FakeStreamingChatModel } from '@langchain/core/utils/testing';
import { ChatOpenAI } from '@langchain/openai';
import { collectMessage, collectText, fromRunnable, textContent } from '../src';
import { ScriptedChatModel, startFakeOpenAIServer, tokenize } from '../src/testing';
import { fmtRatio, fmtStats, interleave, ratioOf, verdict, type Stats } from './measure';

const TEXT = ('Python 是一种解释型语言，语法简洁 🐍. It is popular for data science, web and automation. ').repeat(40);

/** The ceiling: a model that only yields pre-tokenized chunks, through the same LangChain stream() machinery. */
class FloorModel extends BaseChatModel {
  private readonly tokens = tokenize(TEXT);
  _llmType(): string {
    return 'floor';
  }
  async _generate(): Promise<never> {
    throw new Error('stream only');
  }
  override async *_streamResponseChunks(): AsyncGenerator<ChatGenerationChunk> {
    for (const t of this.tokens) yield new ChatGenerationChunk({ text: t, message: new AIMessageChunk({ content: t }) });
  }
}

async function drain(stream: Promise<AsyncIterable<unknown>>): Promise<number> {
  let n = 0;
  for await (const _ of await stream) n++;
  return n;
}

async function modelThroughput(): Promise<void> {
  const tokens = tokenize(TEXT);
  const ours = new ScriptedChatModel({ reply: TEXT });
  const floor = new FloorModel({});
  // LangChain's fake in its timer-free form: the same chunks, no setTimeout between them.
  const fake = new FakeStreamingChatModel({ chunks: tokens.map((t) => new AIMessageChunk({ content: t })) });
  const t = await interleave(
    { ours: () => drain(ours.stream('q')), fake: () => drain(fake.stream('q')), floor: () => drain(floor.stream('q')) },
    { rounds: 11, repeat: 3 },
  );
  const perSecond = (ms: number): string => ((tokens.length * 1000) / ms).toFixed(0);
  console.log(`1. embedded model throughput at zero latency (${tokens.length} chunks per reply, model.stream, full LangChain machinery)`);
  console.log(`   ScriptedChatModel                      ${perSecond(t.ours.median)} chunks/s  ${fmtStats(t.ours)} per reply`);
  console.log(`   FakeStreamingChatModel({ chunks })     ${perSecond(t.fake.median)} chunks/s  ${fmtStats(t.fake)} per reply`);
  console.log(`   time ratio ours / fake                 ${fmtRatio(ratioOf(t.ours, t.fake))}`);
  console.log(`   ceiling (pre-built chunks through Runnable.stream()): ${perSecond(t.floor.median)} chunks/s; ours is ${fmtRatio(ratioOf(t.ours, t.floor))} of its time`);
  console.log('   (The former "128×" compared with FakeStreamingChatModel({ sleep: 0, responses }), which waits on a');
  console.log('   ~1 ms clamped setTimeout per character: it measured the timer, not the model.)');
}

async function pipelineOverhead(): Promise<void> {
  const model = new ScriptedChatModel({ reply: TEXT });
  const chunksPerRun = tokenize(TEXT).length;
  const viaRx = async (): Promise<string> => lastValueFrom(fromRunnable(model, 'q').pipe(textContent(), collectText()));
  const byHand = async (): Promise<string> => {
    const controller = new AbortController(); // fromRunnable passes a signal; so does the baseline
    let text = '';
    for await (const chunk of await model.stream('q', { signal: controller.signal })) {
      const t = typeof chunk.content === 'string' ? chunk.content : '';
      if (t) text += t;
    }
    return text;
  };
  if ((await viaRx()) !== (await byHand())) throw new Error('pipelines disagree');
  const t = await interleave({ rx: viaRx, hand: byHand }, { rounds: 11, repeat: 5 });
  const r = ratioOf(t.rx, t.hand);
  console.log(`\n2. fromRunnable → textContent → collectText vs a hand-written for-await loop with a signal (${chunksPerRun} chunks per reply)`);
  console.log(`   rxjs pipeline   ${fmtStats(t.rx)} per reply`);
  console.log(`   for await loop  ${fmtStats(t.hand)} per reply`);
  console.log(`   ratio           ${fmtRatio(r)}  (goal ≤ 1.3×: ${verdict(r.median, 1.3)})`);
}

async function collectMessageVsConcat(): Promise<void> {
  const words = tokenize(TEXT);
  const tokens: string[] = [];
  while (tokens.length < 20_000) tokens.push(...words);
  const reply = tokens.slice(0, 20_000).join('');
  const server = await startFakeOpenAIServer({ reply, recordRequests: false });
  // maxRetries: a loaded machine can race the server's keep-alive timeout on a pooled socket (both sides alike).
  const model = new ChatOpenAI({ apiKey: 'bench', model: 'gpt-4o-mini', maxRetries: 2, configuration: { baseURL: server.baseURL } });
  try {
    const ours = (): Promise<AIMessageChunk> => lastValueFrom(fromRunnable(model, 'q').pipe(collectMessage()));
    const raw = async (): Promise<AIMessageChunk> => {
      const controller = new AbortController();
      let merged: AIMessageChunk | undefined;
      for await (const chunk of await model.stream('q', { signal: controller.signal })) merged = merged ? merged.concat(chunk) : chunk;
      return merged!;
    };
    const [a, b] = [await ours(), await raw()];
    if (a.content !== b.content || JSON.stringify(a.usage_metadata) !== JSON.stringify(b.usage_metadata) || JSON.stringify(a.response_metadata) !== JSON.stringify(b.response_metadata)) {
      throw new Error('collectMessage and concat disagree');
    }
    // CPU time of this process: the fake server runs in it too (the same work for both sides); a
    // neighbour's burst on the shared machine moves the wall clock, not this.
    const t = await interleave({ ours, raw }, { rounds: 9, warmup: 1, cpu: true });
    const r = ratioOf(t.ours, t.raw);
    console.log(`\n3. collectMessage() vs a raw for await + chunk.concat, real ChatOpenAI on the fake server (${tokenize(reply).length} content chunks; CPU time)`);
    console.log(`   collectMessage  ${fmtStats(t.ours)}`);
    console.log(`   for await+concat ${fmtStats(t.raw)}`);
    console.log(`   ratio           ${fmtRatio(r)}  (goal ≤ 1.05×: ${verdict(r.median, 1.05)})`);
    // The merging alone, on the chunks ChatOpenAI produced (no network, no parsing).
    const recorded: AIMessageChunk[] = [];
    for await (const chunk of await model.stream('q')) recorded.push(chunk);
    const m = await interleave(
      {
        ours: () => lastValueFrom(from(recorded).pipe(collectMessage())),
        concat: () => recorded.reduce((acc, c) => acc.concat(c)),
      },
      { rounds: 11, cpu: true },
    );
    console.log(`   merging alone (${recorded.length} recorded chunks): collectMessage ${fmtStats(m.ours)}, concat per chunk ${fmtStats(m.concat)}: ${fmtRatio(ratioOf(m.ours, m.concat))}`);
    // Linear: the cost per chunk of a 100,000-chunk reply against a 10,000-chunk one (recorded chunks,
    // repeated), ours and the plain fold side by side (LangChain's concat sets the floor).
    const perChunk = async (n: number): Promise<{ ours: number; fold: number; ratio: Stats }> => {
      const chunks = Array.from({ length: n }, (_, i) => recorded[i % recorded.length]);
      const l = await interleave(
        { ours: () => lastValueFrom(from(chunks).pipe(collectMessage())), fold: () => chunks.reduce((acc, c) => acc.concat(c)) },
        { rounds: 7, cpu: true },
      );
      return { ours: l.ours.median / n, fold: l.fold.median / n, ratio: ratioOf(l.ours, l.fold) };
    };
    const [small, large] = [await perChunk(10_000), await perChunk(100_000)];
    const us = (ms: number): string => `${(ms * 1000).toFixed(1)} µs`;
    console.log(
      `   linear: collectMessage ${us(small.ours)} a chunk at 10,000, ${us(large.ours)} at 100,000 (${(large.ours / small.ours).toFixed(2)}×); ` +
        `the plain concat fold ${us(small.fold)} → ${us(large.fold)} (${(large.fold / small.fold).toFixed(2)}×); ours / fold at 100,000: ` +
        `${fmtRatio(large.ratio)} (median of the per-round ratios; goal ≤ 1.05×: ${verdict(large.ratio.median, 1.05)})`,
    );
  } finally {
    await server.close();
  }
}

async function abortLatency(): Promise<void> {
  const server = await startFakeOpenAIServer({ chunkDelayMs: 2 });
  const model = new ChatOpenAI({ apiKey: 'bench', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: server.baseURL } });
  const latencies: number[] = [];
  const after: number[] = [];
  try {
    for (let i = 0; i < 50; i++) {
      let seen = 0;
      let unsubscribedAt = 0;
      let writtenAtUnsubscribe = 0;
      await new Promise<void>((resolve) => {
        const sub = fromRunnable(model, '详细介绍Python的历史和发展').subscribe(() => {
          if (++seen === 5) {
            const record = server.requests[i];
            writtenAtUnsubscribe = record.chunksWritten;
            unsubscribedAt = performance.now();
            queueMicrotask(() => sub.unsubscribe());
            resolve();
          }
        });
      });
      const record = await server.waitForClose(i);
      latencies.push(record.closedAt! - unsubscribedAt);
      after.push(record.chunksWritten - writtenAtUnsubscribe);
    }
  } finally {
    await server.close();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const median = (sorted[24] + sorted[25]) / 2;
  console.log('\n4. abort latency: unsubscribe → fake OpenAI server sees the connection closed (real ChatOpenAI, 50 runs, chunks every 2 ms)');
  console.log(`   median ${median.toFixed(2)} ms, p90 ${sorted[44].toFixed(2)} ms, max ${sorted[49].toFixed(2)} ms  (goal median ≤ 10 ms)`);
  console.log(`   chunks written after unsubscribe: max ${Math.max(...after)}, mean ${(after.reduce((a, b) => a + b, 0) / after.length).toFixed(2)}`);
}

export async function run(): Promise<void> {
  const only = process.env.ONLY;
  if (!only || only.includes('1')) await modelThroughput();
  if (!only || only.includes('2')) await pipelineOverhead();
  if (!only || only.includes('3')) await collectMessageVsConcat();
  if (!only || only.includes('4')) await abortLatency();
}
