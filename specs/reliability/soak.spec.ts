/**
 * 1,000 cycles of subscribe-and-cancel (take, unsubscribe mid-stream, streamTimeout on a
 * stall, 500 + retry, abortOn match, dropped connection, full reply) through the real
 * ChatOpenAI against the fake server, all sharing one caller AbortSignal: no listener,
 * handle or socket may be left behind. The 10,000-cycle run with heap figures is
 * `npm run bench -- soak`.
 */
import { CYCLE_KINDS, soak, type SoakReport } from '../../bench/soak.bench';

describe('leak soak (1,000 cycles)', () => {
  let report: SoakReport;
  beforeAll(async () => {
    report = await soak({ cycles: 1000, warmup: 100, concurrency: 8, settleMs: 10_000 });
  }, 600_000); // 1,000 cycles and a 10 s settle on a machine that may be loaded: a patience, not a bound

  it('ran every kind of cycle, each with its expected outcome', () => {
    expect(report.unexpected).toEqual([]);
    for (const kind of CYCLE_KINDS) expect(report.outcomes[kind]).toBeGreaterThanOrEqual(Math.floor(1000 / CYCLE_KINDS.length));
    // server-error cycles make two requests (one retry), every other cycle one.
    expect(report.requests).toBe(1000 + report.outcomes['server-error']);
  });

  it('raised no MaxListenersExceededWarning and left no listener on the shared caller signal', () => {
    expect(report.warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
    expect(report.maxListenersWarnings).toBe(0);
    expect(report.signalListeners).toBe(0);
  });

  it('closed every request and every server socket', () => {
    expect(report.requestsStillOpen).toBe(0);
    expect(report.serverSocketsAfter).toBeLessThanOrEqual(report.serverSocketsBefore);
  });

  it('left no TCP socket, server or timer handle beyond the baseline', () => {
    const before = report.resourcesBefore;
    const after = report.resourcesAfter;
    for (const type of ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'PipeWrap']) {
      expect({ type, count: after[type] ?? 0 }).toEqual({ type, count: Math.min(after[type] ?? 0, before[type] ?? 0) });
    }
  });
});
