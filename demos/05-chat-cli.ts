/**
 * Seed 3.1 — the command-line chat bot. The same program as `rxjs-langchain chat`
 * (src/cli/chat.ts): streamed replies, history in a file across runs (the merged
 * answer, not the last chunk), /history /clear /exit, Ctrl-C stops a reply.
 * Arguments are the CLI's: `npm run demo -- chat --help`.
 */
import { runChat } from '../src/cli/chat';
import type { Demo } from './types';

export const demo: Demo = {
  name: 'chat',
  seed: '3.1',
  summary: 'command-line chat bot with history in a file (same as `npm run chat`)',
  interactive: true,
  async run({ model, description, offline }, args) {
    const code = await runChat(args, { model: { model, description, offline } });
    if (code !== 0) process.exitCode = code;
  },
};
