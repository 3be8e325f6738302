/**
 * One instance of either side of the chat-handler bench in a process of its own (issue 22, decision
 * 0385), for `SCENARIOS=memory`: the servers' heap is then measured alone (after a full GC, the child
 * runs with --expose-gc), without the bench's clients. argv: <ours|peer|persist> <redisUrl> <script
 * JSON> <graceMs> <maxConcurrentRuns>. Started by bench/chatHandler.children.ts through
 * bench/agentProtocol.process.ts: prints `listening <url>`, answers `memory` on stdin
 * (bench/agentProtocol.child.ts), and reports its model runs as they start and end (`runs <started>
 * <finished>`, `ended <conversation id> <epoch ms>`), which the bench counts as it does in process.
 */
import type { ModelRuns, Script } from './chatHandler.peer';
import { startPeer } from './chatHandler.peer';
import { startOurs } from './chatHandler.ours';
import { serveBenchRequests } from './agentProtocol.child';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Model-run counters that print each change for the bench process. */
function reportedRuns(): ModelRuns {
  let started = 0;
  let finished = 0;
  const report = (): void => void process.stdout.write(`runs ${started} ${finished}\n`);
  // Tells the bench process, keeps nothing: a map of every conversation's end would be the bench's
  // memory counted as the side's (heap snapshots after expiry: ~16 KB at N=300 per instance).
  class EndedAt extends Map<string, number> {
    override set(id: string, at: number): this {
      process.stdout.write(`ended ${id} ${performance.timeOrigin + at}\n`);
      return this;
    }
  }
  return {
    get started() {
      return started;
    },
    set started(n: number) {
      started = n;
      report();
    },
    get finished() {
      return finished;
    },
    set finished(n: number) {
      finished = n;
      report();
    },
    endedAt: new EndedAt(),
  };
}

async function main([side, redisUrl, scriptJson, graceMs, cap]: string[]): Promise<void> {
  const script = JSON.parse(scriptJson) as Script;
  const runs = reportedRuns();
  if (side === 'ours') {
    const ours = await startOurs(redisUrl, script, runs, { graceMs: Number(graceMs), maxConcurrentRuns: Number(cap), fetch });
    return serveBenchRequests([ours.url], async () => {
      while (ours.handler.runs > 0) await sleep(100);
      await ours.close();
    });
  }
  const peer = await startPeer(redisUrl, script, runs, { persist: side === 'persist' });
  serveBenchRequests([peer.url], async () => {
    // Every peer run ends (it has no stop); one still writing when its Redis client closes rejects unhandled.
    for (const until = performance.now() + 120_000; runs.finished < runs.started && performance.now() < until; ) await sleep(250);
    await sleep(500);
    await peer.close();
  });
}

void main(process.argv.slice(2));
