/**
 * Starts work in arrival order, at most `perIteration` starts per event-loop iteration: the rest
 * wait, in order, for the next iterations. `toNodeHandler` starts each request through one of
 * these (decision 0420).
 *
 * Why: Node parses every request that arrived on an open connection in one go, and a Web handler
 * runs each one's checks in the same iteration (its awaits resolve at once). A burst of requests
 * that arrive together (clients that connected one by one, then sent at once; a proxy's pool)
 * then makes one iteration of seconds, during which no stream is written, no other route answered
 * and no connection accepted (Node accepts one per iteration). Measured by the chat-handler bench
 * (2,000 SSE clients posting at once at a server at its `maxConcurrentRuns`): the event loop's
 * longest delay 3.95 s → 0.35 s, `GET /api/info` p99 on a kept-alive connection 3.78 s → 0.32 s
 * and on a new connection 4.06 s → 0.44 s (decision 0420 gives the runs). Under an ordinary load
 * fewer than `perIteration` requests arrive per iteration and each starts at once, as before.
 *
 * @example
 * ```ts
 * const admit = iterationAdmission(4);
 * for (let i = 0; i < 10; i++) admit(() => console.log('start', i));
 * // start 0 … start 3 now; 4 … 7 in the next iteration; 8, 9 in the one after.
 * ```
 *
 * @param perIteration How many starts one iteration takes (≥ 1).
 * @param schedule Runs a callback in a later iteration (default `setImmediate`; specs pass their own).
 * @returns `admit(start)`: calls `start` now, or later in arrival order.
 */
export function iterationAdmission(perIteration: number, schedule: (callback: () => void) => void = setImmediate): (start: () => void) => void {
  const waiting: Array<() => void> = [];
  let started = 0;
  // Runs once per iteration while anything started: a new iteration's budget, then the queue's next starts.
  const nextIteration = (): void => {
    started = 0;
    try {
      while (waiting.length > 0 && started < perIteration) {
        started++;
        waiting.shift()!();
      }
    } finally {
      // Also after a start that threw: the ones behind it must not wait forever.
      if (started > 0) schedule(nextIteration);
    }
  };
  return (start) => {
    if (waiting.length > 0 || started >= perIteration) return void waiting.push(start);
    if (started++ === 0) schedule(nextIteration);
    start();
  };
}
