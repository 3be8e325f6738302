/**
 * `npm run demo`'s tour is quick by default: on the offline model with DEMO_LATENCY unset, only
 * the demos about latency (6.1) get realistic latency. Checked on the models the demos are
 * given (no clock); the tour's wall-clock time is in `npm run test:demos`. And docs/cli.md lists
 * exactly the demos `--help` lists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMOS, main } from '../../demos/index';
import type { DemoContext } from '../../demos/types';
import { Capture } from '../support/chatHarness';

type Latency = { seed: string; firstChunkDelayMs: number; chunkDelayMs: number };

/** Runs the runner with every demo's `run` replaced by a recorder of the model it was given. */
async function latencies(args: string[], env: NodeJS.ProcessEnv): Promise<{ seen: Latency[]; out: string }> {
  const seen: Latency[] = [];
  const runs = DEMOS.map((d) => d.run);
  DEMOS.forEach((d) => {
    (d as { run: typeof d.run }).run = async ({ model }: DemoContext) => {
      const m = model as unknown as { firstChunkDelayMs: number; chunkDelayMs: number };
      seen.push({ seed: d.seed, firstChunkDelayMs: m.firstChunkDelayMs, chunkDelayMs: m.chunkDelayMs });
    };
  });
  const out = new Capture();
  try {
    expect(await main(args, { out: out as never, err: new Capture(), env: { NO_COLOR: '1', ...env } })).toBe(0);
  } finally {
    DEMOS.forEach((d, i) => ((d as { run: typeof d.run }).run = runs[i]));
  }
  return { seen, out: out.data };
}

describe('the demo tour', () => {
  it('with DEMO_LATENCY unset: realistic latency for 6.1 only, none for the rest, and it says so', async () => {
    const { seen, out } = await latencies([], {});
    expect(seen.map((s) => s.seed)).toEqual(DEMOS.filter((d) => !d.interactive).map((d) => d.seed));
    for (const s of seen) {
      expect(s).toEqual(s.seed === '6.1' ? { seed: '6.1', firstChunkDelayMs: 350, chunkDelayMs: 25 } : { seed: s.seed, firstChunkDelayMs: 0, chunkDelayMs: 0 });
    }
    expect(out).toContain('The tour runs without simulated latency except in 6.1 (DEMO_LATENCY=0: none at all).');
  });

  it('DEMO_LATENCY set is used by every demo of the tour; one demo by name keeps the realistic default', async () => {
    const slow = await latencies([], { DEMO_LATENCY: 'slow' });
    expect(new Set(slow.seen.map((s) => `${s.firstChunkDelayMs},${s.chunkDelayMs}`))).toEqual(new Set(['300,80']));
    expect(slow.out).not.toContain('The tour runs');
    const one = await latencies(['progress'], {});
    expect(one.seen).toEqual([{ seed: '3.2', firstChunkDelayMs: 350, chunkDelayMs: 25 }]);
  });
});

describe('docs/cli.md', () => {
  const doc = readFileSync(join(__dirname, '../../docs/cli.md'), 'utf8');
  it('lists exactly the demos of --help, by number and name, and counts them right', async () => {
    const rows = [...doc.matchAll(/^\| ([\d.]+) \| `([a-z-]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(rows).toEqual(DEMOS.map((d) => `${d.seed} ${d.name}`));
    const help = new Capture();
    await main(['--help'], { out: help as never, err: new Capture(), env: {} });
    const listed = [...help.data.matchAll(/^ {2}(\S+)\s+(\S+) /gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(listed).toEqual(rows);
    expect(doc).not.toMatch(/All twelve examples/);
  });
});
