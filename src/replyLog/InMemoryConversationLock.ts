import { Observable } from 'rxjs';
import { ConversationBusyError } from '../errors';
import { assertObject } from '../internal/validate';
import { assertId, assertLockTurn, lockWaitMs, runHolding } from './checks';
import type { ConversationLock, ConversationLockOptions, LockTurn } from './types';

interface Waiter {
  grant(): void;
  turn: LockTurn | undefined;
}

interface Slot {
  /** The holder's turn, when it holds with one. */
  holder: LockTurn | undefined;
  /** Waiters in arrival order; the first one gets the lock next. */
  waiting: Waiter[];
}

/**
 * Turns of one conversation one at a time, in one process (the default):
 * a FIFO queue per conversation id, waiting at most `waitMs`. A hold with a `turn` is listed by
 * `turns(conversationId)` while it waits and while it holds (what the chat handler's stop reads).
 *
 * @example
 * ```ts
 * import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
 * import { of } from 'rxjs';
 * import { chatTurns, fromRunnable } from 'rxjs-langchain';
 * import { InMemoryConversationLock } from 'rxjs-langchain/node';
 * import { ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const model = new ScriptedChatModel();
 * const history = new InMemoryChatMessageHistory();
 * const lock = new InMemoryConversationLock({ waitMs: 10_000 });
 * const turn$ = of('什么是Python').pipe(chatTurns(({ question }) => fromRunnable(model, question), { history }));
 * lock.run('conversation-1', turn$).subscribe((e) => e.type === 'done' && console.log(e.text));
 * ```
 *
 * @param options `waitMs`: how long a turn waits for the lock (default 30000).
 * @see {@link RedisConversationLock}, the same lock across instances.
 */
export class InMemoryConversationLock implements ConversationLock {
  readonly #waitMs: number;
  /** A conversation is locked while it has a slot; the slot goes when the last holder releases. */
  readonly #slots = new Map<string, Slot>();

  constructor(options: ConversationLockOptions = {}) {
    assertObject('InMemoryConversationLock: options', options);
    this.#waitMs = lockWaitMs('InMemoryConversationLock', options.waitMs);
  }

  hold(conversationId: string, turn?: LockTurn, onWaiting?: () => void): Observable<void> {
    assertId('InMemoryConversationLock.hold: conversationId', conversationId);
    assertLockTurn('InMemoryConversationLock.hold: turn', turn);
    return new Observable<void>((subscriber) => {
      let held = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = {
        turn,
        grant: () => {
          clearTimeout(timer);
          held = true;
          this.#slots.get(conversationId)!.holder = turn;
          subscriber.next();
        },
      };
      const slot = this.#slots.get(conversationId);
      subscriber.add(() => {
        clearTimeout(timer);
        const current = this.#slots.get(conversationId);
        if (!current) return;
        if (!held) {
          current.waiting = current.waiting.filter((w) => w !== waiter);
          return;
        }
        current.holder = undefined;
        const nextHolder = current.waiting.shift();
        if (nextHolder) nextHolder.grant();
        else this.#slots.delete(conversationId);
      });
      if (!slot) {
        this.#slots.set(conversationId, { holder: undefined, waiting: [] });
        return waiter.grant();
      }
      slot.waiting.push(waiter);
      timer = setTimeout(() => subscriber.error(new ConversationBusyError(conversationId, this.#waitMs)), this.#waitMs);
      onWaiting?.();
    });
  }

  run<T>(conversationId: string, work: Observable<T>, turn?: LockTurn, onWaiting?: () => void): Observable<T> {
    return runHolding('InMemoryConversationLock.run', this.hold(conversationId, turn, onWaiting), work);
  }

  turns(conversationId: string): Promise<LockTurn[]> {
    assertId('InMemoryConversationLock.turns: conversationId', conversationId);
    const slot = this.#slots.get(conversationId);
    const turns = slot ? [slot.holder, ...slot.waiting.map((w) => w.turn)] : [];
    return Promise.resolve(turns.filter((t): t is LockTurn => t !== undefined));
  }
}
