/**
 * FileChatMessageHistory over a long conversation: 10,000 turns appended to one file, each turn
 * one addMessages([question, answer]) call. The per-append cost must stay flat: the figure is the
 * ratio of the median cost of the last 1,000 appends to the first 1,000, in the same run, median of
 * 9 runs with range. A chat turn also reads the history first (chatTurns calls getMessages, which
 * returns all n messages: a copy, O(n) by its contract), so the same ratio is given for read + append.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { FileChatMessageHistory } from '../src/node';

const TURNS = 10_000;
const BLOCK = 1_000;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

async function oneRun(dir: string, run: number, readFirst: boolean): Promise<{ first: number; last: number }> {
  const history = new FileChatMessageHistory(join(dir, `run-${run}-${readFirst ? 'turn' : 'append'}.jsonl`));
  const costs: number[] = [];
  for (let i = 0; i < TURNS; i++) {
    const start = performance.now();
    if (readFirst) await history.getMessages();
    await history.addMessages([new HumanMessage(`第${i}个问题：Python 有什么特点？`), new AIMessage(`第${i}个回答：语法简洁，生态丰富 🐍。`.repeat(3))]);
    costs.push(performance.now() - start);
  }
  // The median of each block: a GC pause or a neighbour's CPU burst moves a mean, not a median.
  return { first: median(costs.slice(0, BLOCK)), last: median(costs.slice(-BLOCK)) };
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rxlc-bench-history-'));
  try {
    const ratios = { append: [] as number[], turn: [] as number[] };
    const costs = { append: [] as number[], turn: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      // interleaved: both modes in every round, so drift hits both alike
      for (const mode of ['append', 'turn'] as const) {
        const { first, last } = await oneRun(dir, r, mode === 'turn');
        ratios[mode].push(last / first);
        costs[mode].push(last);
      }
    }
    console.log(`FileChatMessageHistory, ${TURNS.toLocaleString('en')} turns in one file (median of ${RUNS} runs, range in brackets)`);
    for (const mode of ['append', 'turn'] as const) {
      const label = mode === 'append' ? 'addMessages          ' : 'getMessages + add    ';
      const rs = ratios[mode];
      console.log(
        `   ${label} last 1,000 / first 1,000 per-append cost ${median(rs).toFixed(2)}× [${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)}]` +
          `  (last block ${median(costs[mode]).toFixed(3)} ms per call; goal ≤ 1.5×: flat)`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
