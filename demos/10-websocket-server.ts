/**
 * Seed 5.2 — WebSocket chat. Starts the web demo server (same as 5.1) whose
 * `/ws` endpoint keeps one chat session per connection: `{"type":"ask"}` and
 * `{"type":"stop"}` in, `chunk` / `done` / `error` messages out, history with
 * the whole answer of each turn. `--once` connects itself, asks two questions
 * and prints the messages.
 */
import { startWebDemo } from './web/server';
import { runWebDemo } from './lib/webDemo';
import type { Demo } from './types';

export const demo: Demo = {
  name: 'websocket',
  seed: '5.2',
  summary: 'WebSocket chat server (web demo); --once to run a scripted client',
  interactive: true,
  async run(ctx, args) {
    await runWebDemo(ctx, args, 'ws', startWebDemo);
  },
};
