import { Observable } from 'rxjs';
import { ConversationBusyError } from '../errors';
import { assertObject } from '../internal/validate';
import { assertId, lockWaitMs, runHolding } from './checks';
import type { ConversationLock, ConversationLockOptions } from './types';

interface Slot {
  /** Waiters in arrival order; the first one gets the lock next. */
  waiting: Array<() => void>;
}

/**
 * Turns of one conversation one at a time, in one process (the default):
 * a FIFO queue per conversation id, waiting at most `waitMs`.
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

  hold(conversationId: string): Observable<void> {
    assertId('InMemoryConversationLock.hold: conversationId', conversationId);
    return new Observable<void>((subscriber) => {
      let held = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grant = (): void => {
        clearTimeout(timer);
        held = true;
        subscriber.next();
      };
      const slot = this.#slots.get(conversationId);
      subscriber.add(() => {
        clearTimeout(timer);
        const current = this.#slots.get(conversationId);
        if (!current) return;
        if (!held) {
          current.waiting = current.waiting.filter((waiter) => waiter !== grant);
          return;
        }
        const nextHolder = current.waiting.shift();
        if (nextHolder) nextHolder();
        else this.#slots.delete(conversationId);
      });
      if (!slot) {
        this.#slots.set(conversationId, { waiting: [] });
        return grant();
      }
      slot.waiting.push(grant);
      timer = setTimeout(() => subscriber.error(new ConversationBusyError(conversationId, this.#waitMs)), this.#waitMs);
    });
  }

  run<T>(conversationId: string, work: Observable<T>): Observable<T> {
    return runHolding('InMemoryConversationLock.run', this.hold(conversationId), work);
  }
}
