/**
 * Who owns each conversation: the principal that started it. Kept where the history lives
 * (shared by instances, as long as the conversation), not in the reply log, whose replies expire.
 * `InMemoryConversationOwners` for one process; `RedisConversationOwners` (`rxjs-langchain/node`)
 * across instances.
 */
export interface ConversationOwners {
  /** The owner of `conversationId`, or `null` when nobody has started it. */
  owner(conversationId: string): Promise<string | null>;
  /**
   * Makes `principal` the owner unless someone already is (atomically: of two claims, one wins).
   * Resolves to the owner after the call: `principal` when it won or already owned it.
   */
  claim(conversationId: string, principal: string): Promise<string>;
}

/**
 * Conversation owners in this process (the default of `createChatHandler`): at most
 * `maxConversations` (the oldest claim goes first), like the default in-memory history.
 *
 * @example
 * ```ts
 * import { InMemoryConversationOwners } from 'rxjs-langchain';
 *
 * const owners = new InMemoryConversationOwners();
 * await owners.claim('conv-4Qx9mZ2pL7wK1vB8', 'user-1'); // 'user-1'
 * await owners.claim('conv-4Qx9mZ2pL7wK1vB8', 'user-2'); // 'user-1': the first claim wins
 * ```
 *
 * @see {@link ConversationOwners}
 */
export class InMemoryConversationOwners implements ConversationOwners {
  readonly #owners = new Map<string, string>();
  readonly #max: number;

  /** @param options `maxConversations`: owners kept (default 10000). */
  constructor(options: { maxConversations?: number } = {}) {
    this.#max = options.maxConversations ?? 10_000;
  }

  owner(conversationId: string): Promise<string | null> {
    return Promise.resolve(this.#owners.get(conversationId) ?? null);
  }

  claim(conversationId: string, principal: string): Promise<string> {
    const owner = this.#owners.get(conversationId);
    if (owner !== undefined) return Promise.resolve(owner);
    this.#owners.set(conversationId, principal);
    if (this.#owners.size > this.#max) this.#owners.delete(this.#owners.keys().next().value as string);
    return Promise.resolve(principal);
  }
}
