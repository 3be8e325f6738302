/**
 * iterationAdmission: at most N starts per event-loop iteration, the rest in arrival order in the
 * next ones (decision 0420). The iterations are a spec-driven schedule: counts and order, no clock.
 */
import { iterationAdmission } from '../../src/node/iterationAdmission';

/** A schedule the spec runs by hand: `iterate()` is one event-loop iteration's scheduled callbacks. */
function manualSchedule(): { schedule: (callback: () => void) => void; iterate(): void; pending(): number } {
  let queued: Array<() => void> = [];
  return {
    schedule: (callback) => void queued.push(callback),
    iterate() {
      const now = queued;
      queued = [];
      now.forEach((callback) => callback());
    },
    pending: () => queued.length,
  };
}

describe('iterationAdmission', () => {
  it('starts four now and the rest four per iteration, in arrival order', () => {
    const loop = manualSchedule();
    const admit = iterationAdmission(4, loop.schedule);
    const started: number[] = [];
    for (let i = 0; i < 10; i++) admit(() => started.push(i));
    expect(started).toEqual([0, 1, 2, 3]);
    loop.iterate();
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    loop.iterate();
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    loop.iterate(); // an iteration that started nothing schedules nothing more
    expect(loop.pending()).toBe(0);
  });

  it('a request that arrives while others wait queues behind them, even with room in its iteration', () => {
    const loop = manualSchedule();
    const admit = iterationAdmission(2, loop.schedule);
    const started: string[] = [];
    ['a', 'b', 'c', 'd', 'e'].forEach((id) => admit(() => started.push(id)));
    loop.iterate(); // c, d start; e waits
    admit(() => started.push('f'));
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    loop.iterate();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('after a quiet iteration the next request starts at once', () => {
    const loop = manualSchedule();
    const admit = iterationAdmission(1, loop.schedule);
    const started: number[] = [];
    admit(() => started.push(1));
    loop.iterate();
    loop.iterate();
    admit(() => started.push(2));
    expect(started).toEqual([1, 2]);
    expect(loop.pending()).toBe(1);
  });

  it('a start that throws does not hold up the ones behind it', () => {
    const loop = manualSchedule();
    const admit = iterationAdmission(1, loop.schedule);
    const started: string[] = [];
    admit(() => started.push('a'));
    admit(() => {
      throw new Error('b failed');
    });
    admit(() => started.push('c'));
    expect(() => loop.iterate()).toThrow('b failed');
    loop.iterate();
    expect(started).toEqual(['a', 'c']);
  });

  it('defaults to setImmediate: the waiting start runs in a later iteration', async () => {
    const admit = iterationAdmission(1);
    const started: number[] = [];
    admit(() => started.push(1));
    admit(() => started.push(2));
    expect(started).toEqual([1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([1, 2]);
  });
});
