/** Shared runner of demos 5.1 (SSE) and 5.2 (WebSocket): start the web demo, then serve or run one scripted client. */
import { WebSocket } from 'ws';
import { portFromArgs, type WebDemo, type WebDemoOptions } from '../web/server';
import type { DemoContext } from '../types';
import { safeText } from './print';

type Start = (options: WebDemoOptions) => Promise<WebDemo>;

export async function runWebDemo(ctx: DemoContext, args: string[], mode: 'sse' | 'ws', start: Start): Promise<void> {
  const { out } = ctx;
  const once = args.includes('--once');
  const demo = await start({ port: once ? 0 : portFromArgs(args, ctx.env), model: ctx.model, baseURL: ctx.baseURL });
  try {
    if (once) {
      if (mode === 'sse') await sseOnce(demo.url, out);
      else await wsOnce(demo.url, out);
      return;
    }
    const ws = demo.url.replace(/^http/, 'ws') + '/ws';
    out.write(`Web demo: ${demo.url}  (chat page; Stop button; SSE and WebSocket modes)\n\n`);
    if (mode === 'sse') {
      out.write('SSE (seed 5.1), from another terminal:\n');
      out.write(`  curl -N -X POST ${demo.url}/api/chat/stream -H 'Content-Type: application/json' -d '{"question":"介绍Python"}'\n`);
      out.write(`  curl -N -H 'X-Requested-With: curl' '${demo.url}/api/chat/stream?question=%E4%BD%A0%E5%A5%BD'\n`);
    } else {
      out.write('WebSocket (seed 5.2), from another terminal (npx wscat):\n');
      out.write(`  npx wscat -c ${ws}\n  > {"type":"ask","question":"介绍Python"}\n  > {"type":"stop"}\n`);
    }
    out.write('\nCtrl-C to stop the server.\n');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    out.write('\nStopping…\n');
  } finally {
    await demo.close();
  }
}

/**
 * POSTs one question and prints the raw SSE stream as it arrives — the first
 * events, every event whose text holds a newline, and the last ones (the rest are
 * counted) — then the reply reassembled from the events.
 */
async function sseOnce(url: string, out: DemoContext['out']): Promise<void> {
  const question = '介绍Python';
  out.write(`=== SSE: POST ${url}/api/chat/stream {"question":"${question}"} ===\n`);
  const res = await fetch(`${url}/api/chat/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question }),
  });
  out.write(`HTTP ${res.status} ${res.headers.get('content-type')}\n\n`);
  const decoder = new TextDecoder();
  let buffered = '';
  let text = '';
  let events = 0;
  let skipped = 0;
  let last = '';
  const onEvent = (block: string): void => {
    events++;
    const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
    const parsed = (data ? JSON.parse(data) : null) as { text?: unknown } | null;
    const piece = typeof parsed?.text === 'string' ? parsed.text : undefined;
    if (piece !== undefined) text += piece;
    if (events <= 3 || piece === undefined || piece.includes('\n')) {
      if (skipped > 0) out.write(`… ${skipped} more chunk events …\n\n`);
      skipped = 0;
      out.write(`${safeText(block)}\n\n`);
    } else {
      skipped++;
      last = block;
    }
  };
  for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      onEvent(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
    }
  }
  if (skipped > 0) out.write(`… ${skipped} more chunk events (the last: ${safeText(JSON.stringify(last))}) …\n\n`);
  out.write(`=== ${events} 个事件; 重组后的回复 (${[...text].length} 字符, 含 ${text.split('\n').length - 1} 个换行) ===\n${safeText(text)}\n\n`);
}

/** Connects to /ws, asks two questions in one session and prints the messages. */
async function wsOnce(url: string, out: DemoContext['out']): Promise<void> {
  const questions = ['介绍Python', '它有什么特点？'];
  const address = url.replace(/^http/, 'ws') + '/ws';
  out.write(`=== WebSocket: ${address} ===\n`);
  const ws = new WebSocket(address);
  await new Promise<void>((resolve, reject) => {
    let asked = 0;
    const ask = (): void => {
      out.write(`\n你: ${questions[asked]}\nAI: `);
      ws.send(JSON.stringify({ type: 'ask', question: questions[asked++] }));
    };
    ws.on('open', ask);
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; text?: string; turn?: number; stopped?: boolean; message?: string };
      if (message.type === 'chunk') out.write(safeText(message.text ?? ''));
      else if (message.type === 'error') out.write(`\n[error] ${safeText(message.message ?? '')}\n`);
      if (message.type === 'done' || message.type === 'error') {
        if (message.type === 'done') out.write(`\n[done turn ${message.turn}${message.stopped ? ', stopped' : ''}]\n`);
        if (asked < questions.length) ask();
        else ws.close();
      }
    });
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
  out.write('\n');
}
