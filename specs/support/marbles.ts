import { TestScheduler } from 'rxjs/testing';

/** A TestScheduler whose assertions use Jest's deep equality. */
export function createScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}
