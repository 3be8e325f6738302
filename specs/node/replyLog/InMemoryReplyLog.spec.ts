import { Observable, take, toArray, lastValueFrom } from 'rxjs';
import { InMemoryReplyLog, type ReplyLogOptions } from '../../../src/node';
import { FRAMES, readAll, replyLogContract } from './replyLog.contract';

describe('InMemoryReplyLog', () => {
  replyLogContract(async (options?: ReplyLogOptions) => {
    const log = new InMemoryReplyLog(options);
    return {
      a: log,
      b: log, // one process: the only instance
      crashable: async () => ({ log, kill: async (subscription) => subscription.unsubscribe() }),
      crashReason: 'abandoned',
      close: () => log.close(),
    };
  });

  describe('in one process', () => {
    it('reads synchronously, so a downstream take stops an infinite synchronous source', async () => {
      const log = new InMemoryReplyLog();
      let sent = 0;
      const infinite = new Observable<string>((s) => {
        while (!s.closed) s.next(`data: ${sent++}\n\n`);
      });
      const first = await lastValueFrom(log.append('r', infinite).pipe(take(3), toArray()));
      expect(first.map((e) => e.data)).toEqual(['data: 0\n\n', 'data: 1\n\n', 'data: 2\n\n']);
      expect(sent).toBe(3);
      const { entries, error } = await readAll(log.read('r').pipe(take(2)));
      expect(entries).toEqual(first.slice(0, 2));
      expect(error).toBeUndefined();
      await log.close();
    });

    it('close() cuts live replies for their readers and drops every reply', async () => {
      const log = new InMemoryReplyLog();
      log.append('live', new Observable<string>((s) => s.next(FRAMES[0]))).subscribe();
      const reader = readAll(log.read('live'));
      await log.close();
      const { entries, error } = await reader;
      expect(entries.map((e) => e.data)).toEqual([FRAMES[0]]);
      expect((error as Error).name).toBe('ReplyProducerGoneError');
      expect((await readAll(log.read('live'))).error).toMatchObject({ name: 'ReplyNotFoundError' });
    });

    it("ids are unique across replies, so another reply's id is ReplyEventNotFoundError (Redis ids are per stream and may coincide)", async () => {
      const log = new InMemoryReplyLog();
      const one = await lastValueFrom(log.append('one', new Observable<string>((s) => (s.next('a'), s.complete()))).pipe(toArray()));
      const two = await lastValueFrom(log.append('two', new Observable<string>((s) => (s.next('b'), s.complete()))).pipe(toArray()));
      expect(one[0].id).not.toBe(two[0].id);
      expect((await readAll(log.read('one', { after: two[0].id }))).error).toMatchObject({ name: 'ReplyEventNotFoundError' });
      await log.close();
    });

    it('checks its options', () => {
      expect(() => new InMemoryReplyLog({ graceMs: 0 })).toThrow(RangeError);
      expect(() => new InMemoryReplyLog({ maxEvents: 1.5 })).toThrow(/maxEvents must be an integer >= 1/);
    });
  });
});
