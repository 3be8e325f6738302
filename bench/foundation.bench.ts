/**
 * Foundation figures (issue 3), each measured side by side in this run:
 * 1. offline model chunks/s at zero latency vs LangChain's FakeStreamingChatModel (sleep: 0);
 * 2. fromRunnable + textContent + collectText vs a hand-written `for await` loop;
 * 3. abort latency: unsubscribe → fake OpenAI server sees the close, and chunks written after it.
 */
import { lastValueFrom } from 'rxjs';
import { AIMessage, AIMessageChunk } from '@langchain/core/messages';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatGenerationChunk } from '@langchain/core/outputs';
import { FakeStreamingChatModel } from '@langchain/core/utils/testing';
import { ChatOpenAI } from '@langchain/openai';
import { collectText, fromRunnable, textContent } from '../src';
import { ScriptedChatModel, startFakeOpenAIServer, tokenize } from '../src/testing';

const TEXT = ('Python 是一种解释型语言，语法简洁 🐍. It is popular for data science, web and automation. ').repeat(40);

async function chunksPerSecond(stream: () => Promise<AsyncIterable<unknown>>, minMs: number): Promise<{ perSecond: number; chunks: number }> {
  let chunks = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    for await (const _ of await stream()) chunks++;
  }
  return { perSecond: (chunks * 1000) / (performance.now() - start), chunks };
}

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

async function modelThroughput(): Promise<void> {
  const ours = new ScriptedChatModel({ reply: TEXT });
  const floor = new FloorModel({});
  // LangChain's fastest fake: setTimeout(0) per chunk (Node clamps it to ~1 ms); a 300-character reply keeps it short.
  const fake = new FakeStreamingChatModel({ sleep: 0, responses: [new AIMessage(TEXT.slice(0, 300))] });
  await chunksPerSecond(() => ours.stream('q'), 500); // warm-up
  await chunksPerSecond(() => floor.stream('q'), 500);
  const a = await chunksPerSecond(() => ours.stream('q'), 1500);
  const f = await chunksPerSecond(() => floor.stream('q'), 1500);
  const b = await chunksPerSecond(() => fake.stream('q'), 1500);
  console.log('1. offline model throughput at zero latency (model.stream, full LangChain machinery)');
  console.log(`   ScriptedChatModel          ${a.perSecond.toFixed(0).padStart(9)} chunks/s  (${a.chunks} chunks)`);
  console.log(`   FakeStreamingChatModel     ${b.perSecond.toFixed(0).padStart(9)} chunks/s  (${b.chunks} chunks)`);
  console.log(`   ratio                      ${(a.perSecond / b.perSecond).toFixed(0).padStart(9)}×  (goal ≥ 100×)`);
  console.log(`   ceiling: any model through Runnable.stream() (pre-built chunks) ${f.perSecond.toFixed(0)} chunks/s,`);
  console.log(`   so the best possible ratio here is ${(f.perSecond / b.perSecond).toFixed(0)}×; ScriptedChatModel reaches ${((a.perSecond / f.perSecond) * 100).toFixed(0)}% of that ceiling`);
}

async function pipelineOverhead(): Promise<void> {
  const model = new ScriptedChatModel({ reply: TEXT });
  const chunksPerRun = tokenize(TEXT).length;
  const viaRx = async (): Promise<string> => lastValueFrom(fromRunnable(model, 'q').pipe(textContent(), collectText()));
  const byHand = async (): Promise<string> => {
    let text = '';
    for await (const chunk of await model.stream('q')) {
      const t = typeof chunk.content === 'string' ? chunk.content : '';
      if (t) text += t;
    }
    return text;
  };
  if ((await viaRx()) !== (await byHand())) throw new Error('pipelines disagree');
  const time = async (f: () => Promise<string>, runs: number): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < runs; i++) await f();
    return performance.now() - start;
  };
  // interleave rounds so drift (GC, JIT, the other core) hits both sides alike
  let rx = 0;
  let hand = 0;
  await time(viaRx, 5);
  await time(byHand, 5);
  for (let round = 0; round < 8; round++) {
    rx += await time(viaRx, 5);
    hand += await time(byHand, 5);
  }
  console.log(`\n2. fromRunnable + textContent + collectText vs hand-written for-await (${chunksPerRun} chunks per reply, 40 replies each)`);
  console.log(`   rxjs pipeline   ${(rx / 40).toFixed(2)} ms/reply`);
  console.log(`   for await loop  ${(hand / 40).toFixed(2)} ms/reply`);
  console.log(`   ratio           ${(rx / hand).toFixed(2)}×  (goal ≤ 1.3×)`);
}

async function abortLatency(): Promise<void> {
  const server = await startFakeOpenAIServer({ tokenMs: 2 });
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
  console.log('\n3. abort latency: unsubscribe → fake OpenAI server sees the connection closed (real ChatOpenAI, 50 runs, chunks every 2 ms)');
  console.log(`   median ${median.toFixed(2)} ms, p90 ${sorted[44].toFixed(2)} ms, max ${sorted[49].toFixed(2)} ms  (goal median ≤ 10 ms)`);
  console.log(`   chunks written after unsubscribe: max ${Math.max(...after)}, mean ${(after.reduce((a, b) => a + b, 0) / after.length).toFixed(2)}`);
}

export async function run(): Promise<void> {
  await modelThroughput();
  await pipelineOverhead();
  await abortLatency();
}
