/**
 * AI SDK UI message stream (issue 17):
 * 1. encoding 200,000 parts into UI message stream frames (`data: <json>\n\n`, what
 *    `sendUIMessageStream` / `toUIMessageStreamResponse` write, with the default heartbeat on) vs a
 *    hand-written loop doing the same mapping with `JSON.stringify`. Both produce the same frames
 *    (checked); CPU time, median of 11 interleaved runs.
 * 2. 1,000 concurrent useChat-protocol clients on loopback: the AI SDK's own `DefaultChatTransport`
 *    POSTs a conversation to a `sendUIMessageStream` server (offline model, 2 ms per token) and
 *    parses the stream with the SDK's strict chunk schema; every 20th client also rebuilds the
 *    reply with `readUIMessageStream` (useChat's state). Every text must be the model's reply,
 *    byte-exact, after a `finish` chunk.
 *    Bounded in count (UI_CLIENTS) and time (DEADLINE_MS).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text as bodyText } from 'node:stream/consumers';
import { DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { from } from 'rxjs';
import { fromRunnable, fromUIMessages } from '../src';
import { sendUIMessageStream, type ServerSentEventsDelivery } from '../src/node';
import { replyTo } from '../src/offline/cannedReplies';
import { ScriptedChatModel } from '../src/testing';
import type { StreamPart } from '../src/parts/types';
import { toUIMessageStreamFrames } from '../src/web/uiMessageStreamFrames';

const PARTS = 200_000;
const RUNS = 11;
const WORDS = ['Python', ' 是', '一种', '解释型', '语言', '，', ' easy', ' to', ' read', ' 🐍', '.\n'];

/** An agent-like run: steps of 60 text parts, a tool call with streamed arguments, its result. */
function makeParts(): StreamPart[] {
  const parts: StreamPart[] = [];
  for (let step = 0; parts.length < PARTS; step++) {
    parts.push({ type: 'step-start', step });
    for (let i = 0; i < 60; i++) parts.push({ type: 'text', text: WORDS[(step + i) % WORDS.length] });
    const id = `call_${step}`;
    parts.push({ type: 'tool-call-start', id, name: 'search', index: 0 });
    for (const piece of ['{"q":', '"猫', ' 🐱', '"}']) parts.push({ type: 'tool-call-delta', id, argsText: piece });
    parts.push({ type: 'tool-call', id, name: 'search', args: { q: '猫 🐱' } });
    parts.push({ type: 'step-finish', step, finishReason: 'tool_calls' });
    parts.push({ type: 'tool-result', id, name: 'search', content: `result ${step}`, isError: false });
  }
  parts.length = PARTS;
  parts.push({ type: 'finish', finishReason: 'stop' });
  return parts;
}

/** The same mapping by hand: one switch, one JSON.stringify per frame. */
function byHand(parts: readonly StreamPart[], sink: (frame: string) => void): void {
  const send = (chunk: object): void => sink(`data: ${JSON.stringify(chunk)}\n\n`);
  let textId: string | undefined;
  let blocks = 0;
  let step = false;
  const endText = (): void => {
    if (textId) send({ type: 'text-end', id: textId });
    textId = undefined;
  };
  const endStep = (): void => {
    endText();
    if (step) send({ type: 'finish-step' });
    step = false;
  };
  send({ type: 'start', messageId: 'm' });
  for (const part of parts) {
    switch (part.type) {
      case 'step-start':
        endStep();
        send({ type: 'start-step' });
        step = true;
        break;
      case 'text':
        if (!textId) {
          textId = `text-${++blocks}`;
          send({ type: 'text-start', id: textId });
        }
        send({ type: 'text-delta', id: textId, delta: part.text });
        break;
      case 'tool-call-start':
        endText();
        send({ type: 'tool-input-start', toolCallId: part.id, toolName: part.name });
        break;
      case 'tool-call-delta':
        send({ type: 'tool-input-delta', toolCallId: part.id, inputTextDelta: part.argsText });
        break;
      case 'tool-call':
        send({ type: 'tool-input-available', toolCallId: part.id, toolName: part.name, input: part.args });
        break;
      case 'step-finish':
        endStep();
        break;
      case 'tool-result':
        send({ type: 'tool-output-available', toolCallId: part.id, output: part.content });
        break;
      case 'finish':
        endStep();
        send({ type: 'finish', finishReason: 'stop' });
        break;
    }
  }
  sink('data: [DONE]\n\n');
}

function viaLibrary(parts: readonly StreamPart[], sink: (frame: string) => void): void {
  from(parts).pipe(toUIMessageStreamFrames({ messageId: 'm' })).subscribe(sink);
}

/** CPU time of one encoding (user + system, ms): on a shared 2-core machine wall time mostly measures the neighbours. */
function time(encode: typeof byHand, parts: readonly StreamPart[]): { ms: number; bytes: number } {
  (globalThis as { gc?: () => void }).gc?.(); // each run starts with the same heap, whatever ran before
  let bytes = 0;
  const start = process.cpuUsage();
  encode(parts, (frame) => (bytes += frame.length));
  const used = process.cpuUsage(start);
  return { ms: (used.user + used.system) / 1000, bytes };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function encoding(): Promise<void> {
  const parts = makeParts();
  const a: string[] = [];
  const b: string[] = [];
  viaLibrary(parts, (f) => a.push(f));
  byHand(parts, (f) => b.push(f));
  if (a.length !== b.length || a.some((f, i) => f !== b[i])) throw new Error('ui bench: the two encoders disagree');
  const frames = a.length;
  const megabytes = a.join('').length / 1e6;
  a.length = b.length = 0; // 25 MB of kept frames would make every GC in the timed runs slower
  for (let i = 0; i < 3; i++) time(viaLibrary, parts), time(byHand, parts); // warm-up
  const lib: number[] = [];
  const hand: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const x = r % 2 === 0 ? time(viaLibrary, parts) : undefined;
    const y = time(byHand, parts);
    const z = x ?? time(viaLibrary, parts);
    lib.push(z.ms);
    hand.push(y.ms);
    ratios.push(z.ms / y.ms);
  }
  const range = (xs: number[]): string => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
  console.log(`encode ${PARTS.toLocaleString('en')} parts → ${frames.toLocaleString('en')} UI message stream frames (${megabytes.toFixed(1)} MB), CPU time, ${RUNS} interleaved runs`);
  console.log(`   toUIMessageStreamFrames   median ${median(lib).toFixed(1)} ms (range ${range(lib)})`);
  console.log(`   hand-written loop         median ${median(hand).toFixed(1)} ms (range ${range(hand)})`);
  console.log(`   ratio                     median ${median(ratios).toFixed(2)}× (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})  (goal ≤ 1.3×)`);
}

const UI_CLIENTS = Number(process.env.UI_CLIENTS ?? 1000);
const DEADLINE_MS = 120_000;
const QUESTIONS = ['讲一个关于程序员的故事', '什么是Python', 'Tell me a joke 😀', 'hello'];

async function useChatClients(): Promise<void> {
  const model = new ScriptedChatModel({ chunkDelayMs: 2 });
  const deliveries: ServerSentEventsDelivery[] = [];
  const server = createServer((req, res) => {
    void bodyText(req).then((body) => {
      const { messages } = JSON.parse(body) as { messages: unknown };
      deliveries.push(sendUIMessageStream(fromRunnable(model, fromUIMessages(messages)), res));
    });
  });
  server.maxConnections = UI_CLIENTS + 10;
  // backlog: 1,000 connections open at once would overflow Node's default of 511 (reset connections)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 2048, resolve));
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/chat`;

  /** One useChat turn: the SDK transport sends the conversation, the SDK reader rebuilds the reply. */
  const oneClient = async (i: number): Promise<boolean> => {
    const question = QUESTIONS[i % QUESTIONS.length];
    const messages: UIMessage[] = [
      { id: `u-${i}-0`, role: 'user', parts: [{ type: 'text', text: 'hello' }] },
      { id: `a-${i}-0`, role: 'assistant', parts: [{ type: 'step-start' }, { type: 'text', text: replyTo('hello'), state: 'done' }] },
      { id: `u-${i}-1`, role: 'user', parts: [{ type: 'text', text: question }] },
    ];
    const stream = await new DefaultChatTransport({ api }).sendMessages({
      chatId: `chat-${i}`,
      messages,
      abortSignal: undefined,
      trigger: 'submit-message',
      messageId: undefined,
    });
    let text = '';
    let finished = false;
    if (i % 20 === 0) {
      // useChat's own message state (it clones the message per chunk: quadratic, so only a sample)
      let last: UIMessage | undefined;
      for await (const message of readUIMessageStream({ stream, terminateOnError: true })) last = message;
      text = last?.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('') ?? '';
      finished = true;
    } else {
      for await (const chunk of stream as unknown as AsyncIterable<UIMessageChunk>) {
        if (chunk.type === 'text-delta') text += chunk.delta;
        else if (chunk.type === 'finish') finished = true;
      }
    }
    return finished && text === replyTo(question);
  };

  let peakRss = process.memoryUsage().rss;
  const baseRss = peakRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`ui bench: over ${DEADLINE_MS} ms`)), DEADLINE_MS).unref());
  try {
    const results = await Promise.race([Promise.all(Array.from({ length: UI_CLIENTS }, (_, i) => oneClient(i))), deadline]);
    const elapsed = performance.now() - started;
    const complete = results.filter(Boolean).length;
    const outcomes = await Promise.all(deliveries.map((d) => d.finished));
    const frames = deliveries.reduce((n, d) => n + d.stats.framesWritten, 0);
    const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(`\n${UI_CLIENTS} concurrent useChat-protocol clients (the SDK's DefaultChatTransport; readUIMessageStream for 1 in 20), offline model at 2 ms/token`);
    console.log(`   complete, text byte-exact  ${complete}/${UI_CLIENTS}; deliveries done ${outcomes.filter((o) => o === 'done').length}/${deliveries.length}`);
    console.log(`   wall time                  ${(elapsed / 1000).toFixed(2)} s, ${Math.round((frames * 1000) / elapsed)} frames/s`);
    console.log(`   peak RSS                   ${mb(peakRss)} (start ${mb(baseRss)}, +${mb(peakRss - baseRss)}), clients in the same process`);
    if (complete !== UI_CLIENTS) process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

export async function run(): Promise<void> {
  await encoding();
  await useChatClients();
}

if (require.main === module) void run();
