import { InMemoryConversationLock } from '../../../src/node';
import { conversationLockContract } from './conversationLock.contract';

describe('InMemoryConversationLock', () => {
  conversationLockContract(async (options) => {
    const lock = new InMemoryConversationLock(options);
    return { a: lock, b: lock, close: async () => undefined };
  });

  it('hands the lock to waiters in arrival order', async () => {
    const lock = new InMemoryConversationLock();
    const order: number[] = [];
    const subs = [1, 2, 3].map((n) => lock.hold('c').subscribe(() => order.push(n)));
    subs[0].unsubscribe();
    subs[1].unsubscribe();
    expect(order).toEqual([1, 2, 3]);
    subs[2].unsubscribe();
  });

  it('checks its options', () => {
    expect(() => new InMemoryConversationLock({ waitMs: -1 })).toThrow(RangeError);
  });
});
