/**
 * Seed 5.1 — streaming over Server-Sent Events. Starts the web demo server
 * (demos/web/server.ts: chat page, `POST /api/chat/stream`, WebSocket `/ws`) and
 * shows how to curl the SSE endpoint. Each event is one JSON `data:` line, so a
 * reply with newlines cannot break the framing (a plain `data: {content}`
 * does). `--once` makes one request itself, prints the raw stream and exits.
 */
import { startWebDemo } from './web/server';
import { runWebDemo } from './lib/webDemo';
import type { Demo } from './types';

export const demo: Demo = {
  name: 'sse',
  seed: '5.1',
  summary: 'SSE server (web demo); curl it, or --once to print one raw stream',
  interactive: true,
  async run(ctx, args) {
    await runWebDemo(ctx, args, 'sse', startWebDemo);
  },
};
