import { compareInvokeAndStream } from '../../demos/lib/compareInvokeAndStream';
import { ScriptedChatModel } from '../../src/testing';

describe('compareInvokeAndStream', () => {
  describe('timing a real LangChain chat model', () => {
    it('reports invoke vs stream; streaming shows text after a fraction of the invoke wait', async () => {
      const reply = '流式输出让用户更快看到第一个字 🚀 and the rest follows token by token.';
      const model = new ScriptedChatModel({ reply, firstChunkDelayMs: 40, chunkDelayMs: 8 });
      const r = await compareInvokeAndStream(model, '详细介绍Python的历史和发展');
      const chars = [...reply].length;
      expect(r.invoke.chars).toBe(chars);
      expect(r.stream.chars).toBe(chars);
      expect(r.stream.chunks).toBeGreaterThan(5);
      expect(r.stream.firstChunkMs).toBeGreaterThanOrEqual(35);
      expect(r.stream.firstChunkMs!).toBeLessThan(r.stream.totalMs); // the model's own delays come after the first token
      expect(r.perceivedLatencyReduction).toBeCloseTo(1 - r.stream.firstChunkMs! / r.invoke.totalMs, 10);
      // How much sooner streaming shows text is a wall-clock figure: `npm run test:demos` checks it.
    });

    it('uses the injected clock and runs the calls in the requested order, never overlapping', async () => {
      const order: string[] = [];
      let t = 0;
      const runnable = {
        async invoke(): Promise<string> {
          order.push('invoke');
          t += 100;
          return 'abc';
        },
        async stream(): Promise<AsyncIterable<string>> {
          order.push('stream');
          return (async function* () {
            t += 10;
            yield '';
            yield 'a';
            t += 20;
            yield 'bc';
          })();
        },
      };
      const r = await compareInvokeAndStream(runnable, 'q', { first: 'stream', now: () => t });
      expect(order).toEqual(['stream', 'invoke']);
      expect(r).toEqual({
        invoke: { totalMs: 100, chars: 3 },
        stream: { firstChunkMs: 10, totalMs: 30, chunks: 2, chars: 3 },
        perceivedLatencyReduction: 0.9,
      });
    });

    it("'together' starts both calls before either ends, each timed from its own start", async () => {
      const started: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const runnable = {
        async invoke(): Promise<string> {
          started.push('invoke');
          if (started.length === 2) release();
          await gate; // ends only once the stream has started too
          return 'abc';
        },
        async stream(): Promise<AsyncIterable<string>> {
          started.push('stream');
          if (started.length === 2) release();
          return (async function* () {
            await gate;
            yield 'abc';
          })();
        },
      };
      const r = await compareInvokeAndStream(runnable, 'q', { first: 'together', now: () => 0 });
      expect(started.sort()).toEqual(['invoke', 'stream']);
      expect([r.invoke.chars, r.stream.chars]).toEqual([3, 3]);
    });

    it('reports null reduction when the stream has no text, and propagates request errors', async () => {
      const empty = { invoke: async () => '', stream: async () => (async function* () {})() };
      expect((await compareInvokeAndStream(empty, 'q')).perceivedLatencyReduction).toBeNull();
      const failing = { invoke: async () => { throw new Error('401'); }, stream: async () => (async function* () {})() };
      await expect(compareInvokeAndStream(failing, 'q')).rejects.toThrow('401');
    });
  });

  describe('bad input', () => {
    it('rejects with TypeErrors that say what to fix', async () => {
      await expect(compareInvokeAndStream({ stream: async () => [] } as never, 'q')).rejects.toThrow(
        new TypeError('compareInvokeAndStream: runnable must have invoke() and stream() (a LangChain Runnable), got an object (Object).'),
      );
      const ok = new ScriptedChatModel({ reply: 'x' });
      await expect(compareInvokeAndStream(ok, 'q', 1 as never)).rejects.toThrow(new TypeError('compareInvokeAndStream: options must be an object, got the number 1.'));
      await expect(compareInvokeAndStream(ok, 'q', { first: 'both' as never })).rejects.toThrow(
        new TypeError("compareInvokeAndStream: options.first must be 'invoke', 'stream' or 'together', got the string \"both\"."),
      );
      await expect(compareInvokeAndStream(ok, 'q', { now: 5 as never })).rejects.toThrow(new TypeError('compareInvokeAndStream: options.now must be a function, got the number 5.'));
    });
  });
});
