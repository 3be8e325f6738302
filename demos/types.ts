import type { DemoModel } from './model';

/** What a demo gets to run with. */
export interface DemoContext extends DemoModel {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** True when colours are allowed: a TTY and NO_COLOR unset. */
  color: boolean;
  /** The environment the demos run in (PORT, …). */
  env: NodeJS.ProcessEnv;
}

export interface Demo {
  /** CLI name: `npm run demo -- <name>`. */
  name: string;
  /** The example number, e.g. '1.1'. */
  seed: string;
  /** One line for --help. */
  summary: string;
  /** Interactive demos (CLI chat, servers) are not part of the tour. */
  interactive?: boolean;
  /**
   * The demo is about latency: in the tour (`npm run demo` with `DEMO_LATENCY` unset) it alone
   * keeps the offline model's realistic latency; the others run without any.
   */
  aboutLatency?: boolean;
  run(ctx: DemoContext, args: string[]): Promise<void>;
}
