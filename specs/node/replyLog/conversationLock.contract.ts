/**
 * The contract of a ConversationLock, run against InMemoryConversationLock and
 * RedisConversationLock.
 */
import { lastValueFrom, Observable, of, Subject, toArray } from 'rxjs';
import { ConversationBusyError, type ConversationLock } from '../../../src/node';
import { sleep, until } from '../../support/http';

export interface ConversationLockFixture {
  /** Two instances over one store (in memory: the same lock twice). */
  a: ConversationLock;
  b: ConversationLock;
  close(): Promise<void>;
}

let sequence = 0;
const newId = (): string => `c-${process.pid}-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

/** The lock's turns of `id` once there are `n` of them (polled: order, not time). */
async function listed(lock: ConversationLock, id: string, n: number): Promise<unknown[]> {
  for (;;) {
    const turns = await lock.turns!(id);
    if (turns.length === n) return turns.map((t) => ({ ...t }));
    await sleep(5);
  }
}

export function conversationLockContract(make: (options: { waitMs: number }) => Promise<ConversationLockFixture>): void {
  let fx: ConversationLockFixture;
  beforeEach(async () => {
    fx = await make({ waitMs: 120_000 }); // patience, not a bound: a waiter here always gets the lock in the end
  });
  afterEach(async () => {
    await fx.close();
  });

  it('one holder per conversation across instances: the second gets the lock only after the first releases it', async () => {
    const id = newId();
    const order: string[] = [];
    const first = fx.a.hold(id).subscribe(() => order.push('a holds'));
    await until(() => order.length === 1, 'the first holder');
    const second = fx.b.hold(id).subscribe(() => order.push('b holds'));
    await sleep(60);
    expect(order).toEqual(['a holds']);
    order.push('a releases');
    first.unsubscribe();
    await until(() => order.length === 3, 'the second holder');
    expect(order).toEqual(['a holds', 'a releases', 'b holds']);
    second.unsubscribe();
  });

  it('onWaiting is called once when the first answer is "held by another" (never for a hold that gets the lock at once)', async () => {
    const id = newId();
    const order: string[] = [];
    const first = fx.a.hold(id, undefined, () => order.push('a waits')).subscribe(() => order.push('a holds'));
    await until(() => order.length === 1, 'the first holder');
    const second = fx.b.hold(id, undefined, () => order.push('b waits')).subscribe(() => order.push('b holds'));
    await until(() => order.length === 2, 'the second waiting');
    first.unsubscribe();
    await until(() => order.length === 3, 'the second holder');
    expect(order).toEqual(['a holds', 'b waits', 'b holds']);
    second.unsubscribe();
  });

  it('different conversations do not wait for each other', async () => {
    let held = 0;
    const subs = [fx.a.hold(newId()).subscribe(() => held++), fx.b.hold(newId()).subscribe(() => held++)];
    await until(() => held === 2, 'both holders');
    subs.forEach((s) => s.unsubscribe());
  });

  it('run() subscribes the work once the lock is held, passes its values through and releases on complete, error and unsubscribe', async () => {
    const id = newId();
    expect(await lastValueFrom(fx.a.run(id, of(1, 2, 3)).pipe(toArray()))).toEqual([1, 2, 3]);
    const boom = new Error('turn failed');
    await expect(lastValueFrom(fx.b.run(id, new Observable((s) => s.error(boom))))).rejects.toBe(boom);
    const hang = fx.a.run(id, new Subject<number>()).subscribe();
    await sleep(30);
    hang.unsubscribe();
    // Released every time: a fourth turn runs at once.
    expect(await lastValueFrom(fx.b.run(id, of('after')))).toBe('after');
  });

  it('serializes turns: work of the second turn starts after the first turn completed', async () => {
    const id = newId();
    const log: string[] = [];
    const turn = (name: string, lock: ConversationLock): Promise<unknown> =>
      lastValueFrom(lock.run(id, new Observable<string>((s) => {
        log.push(`${name} start`);
        const t = setTimeout(() => {
          log.push(`${name} end`);
          s.next(name);
          s.complete();
        }, 30);
        return () => clearTimeout(t);
      })));
    await Promise.all([turn('one', fx.a), turn('two', fx.b), turn('three', fx.a)]);
    expect(log).toHaveLength(6);
    for (let i = 0; i < 6; i += 2) {
      expect(log[i].endsWith('start')).toBe(true);
      expect(log[i + 1]).toBe(log[i].replace('start', 'end')); // never two turns at once
    }
  });

  it('a turn that waits longer than waitMs gets ConversationBusyError and its work never runs', async () => {
    const quick = await make({ waitMs: 40 });
    try {
      const id = newId();
      let held = false;
      const holder = quick.a.hold(id).subscribe(() => (held = true));
      await until(() => held, 'the holder'); // then the waiter can only wait, however slow the machine
      let ran = false;
      const error = await lastValueFrom(quick.b.run(id, new Observable(() => void (ran = true)))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConversationBusyError);
      expect(error).toMatchObject({ code: 'CONVERSATION_BUSY', conversationId: id, waitMs: 40 });
      expect(ran).toBe(false);
      holder.unsubscribe();
    } finally {
      await quick.close();
    }
  });

  it('a waiter that unsubscribes stops waiting and never gets the lock; the next waiter does', async () => {
    const id = newId();
    const got: string[] = [];
    const holder = fx.a.hold(id).subscribe(() => got.push('holder'));
    await until(() => got.length === 1, 'the holder');
    const leaving = fx.b.hold(id).subscribe(() => got.push('leaving'));
    const staying = fx.b.hold(id).subscribe(() => got.push('staying'));
    await sleep(20);
    leaving.unsubscribe();
    holder.unsubscribe();
    await until(() => got.length === 2, 'the next holder');
    await sleep(30);
    expect(got).toEqual(['holder', 'staying']);
    staying.unsubscribe();
  });

  it('turns() lists the turns waiting for or holding the lock, oldest first, on every instance, until each releases or stops waiting; holds without a turn are not listed', async () => {
    const id = newId();
    let held = false;
    const holder = fx.a.hold(id, { id: 'r-1', principal: 'alice' }).subscribe(() => (held = true));
    await until(() => held, 'the holder');
    const anonymous = fx.b.hold(id).subscribe();
    const waiting = fx.b.hold(id, { id: 'r-2' }).subscribe();
    expect(await listed(fx.a, id, 2)).toEqual([{ id: 'r-1', principal: 'alice' }, { id: 'r-2' }]);
    waiting.unsubscribe();
    expect(await listed(fx.b, id, 1)).toEqual([{ id: 'r-1', principal: 'alice' }]);
    holder.unsubscribe();
    await listed(fx.a, id, 0); // the anonymous waiter holds it now, unlisted
    anonymous.unsubscribe();
    expect(await fx.b.turns!(newId())).toEqual([]);
  });

  it('bad arguments are TypeErrors at call time', () => {
    expect(() => fx.a.hold('c', { id: '' })).toThrow(TypeError);
    expect(() => fx.a.hold('c', { id: 'r', principal: 7 as never })).toThrow(/principal must be a string/);
    expect(() => fx.a.hold('')).toThrow(TypeError);
    expect(() => fx.a.run('c', 'work' as never)).toThrow(/work must be an Observable/);
  });
}
