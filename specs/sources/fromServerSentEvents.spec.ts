import type { IncomingMessage, ServerResponse } from 'node:http';
import { filter, lastValueFrom, map, tap, toArray, type Observable } from 'rxjs';
import {
  RemoteStreamError,
  ServerSentEventsResponseError,
  StreamAbortedError,
  StreamInterruptedError,
  StreamResumeError,
  abortOn,
  collectText,
  decodeUIMessageStream,
  fromRunnable,
  fromServerSentEvents,
  textContent,
  type UIMessageChunk,
} from '../../src';
import { sendServerSentEvents, sendUIMessageStream, type ServerSentEventsDelivery } from '../../src/node';
import { encodeServerSentEvent } from '../../src/web/serverSentEventFrame';
import { ScriptedChatModel } from '../../src/testing';
import { listen, TRICKY_REPLY, until } from '../support/http';
import { probeRunnable } from '../support/probeRunnable';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

/** These specs test the client and the framing; the request check (Host, cross-site) has its own specs. */
const ANY_CLIENT = { allowedOrigins: (): boolean => true } as const;

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => resolve(body));
  });

/** Collects what a subscription emitted and how it ended. */
function settle<T>(source: Observable<T>): Promise<{ values: T[]; error?: unknown }> {
  return new Promise((resolve) => {
    const values: T[] = [];
    source.subscribe({ next: (v) => values.push(v), error: (error) => resolve({ values, error }), complete: () => resolve({ values }) });
  });
}

const frame = (event: string, id: number, data: unknown): string => encodeServerSentEvent({ event, id, data: JSON.stringify(data) });

describe('fromServerSentEvents', () => {
  describe('our framing', () => {
    it('emits the text of every chunk event, byte-exact, and completes on done; the text operators apply', async () => {
      const model = new ScriptedChatModel({ reply: TRICKY_REPLY });
      const http = await listen((_req, res) => sendServerSentEvents(fromRunnable(model, 'q').pipe(textContent()), res, ANY_CLIENT));
      cleanup(() => http.close());
      const texts = await lastValueFrom(fromServerSentEvents(http.url).pipe(toArray()));
      expect(texts.join('')).toBe(TRICKY_REPLY);
      expect(texts.length).toBeGreaterThan(10);
      expect(await lastValueFrom(fromServerSentEvents(http.url).pipe(textContent(), collectText()))).toBe(TRICKY_REPLY);
    });

    it('sends POST bodies and headers; each subscription sends one request, none before', async () => {
      const bodies: string[] = [];
      const http = await listen(async (req, res) => {
        const body = await readBody(req);
        bodies.push(`${req.method} ${req.headers['x-test']} ${req.headers.accept} ${body}`);
        const { question } = JSON.parse(body) as { question: string };
        sendServerSentEvents(fromRunnable(new ScriptedChatModel({ reply: `echo: ${question}` }), question).pipe(textContent()), res, ANY_CLIENT);
      });
      cleanup(() => http.close());
      const source = fromServerSentEvents(http.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-test': 'yes' },
        body: JSON.stringify({ question: '你好 😀' }),
      }).pipe(collectText());
      expect(bodies).toEqual([]);
      expect(await lastValueFrom(source)).toBe('echo: 你好 😀');
      expect(await lastValueFrom(source)).toBe('echo: 你好 😀');
      expect(bodies).toEqual(Array(2).fill('POST yes text/event-stream {"question":"你好 😀"}'));
      // a Request (body and headers included) works for every subscription too
      const request = new Request(http.url, { method: 'POST', headers: { 'x-test': 'req' }, body: JSON.stringify({ question: 'again' }) });
      const fromRequest = fromServerSentEvents(request).pipe(collectText());
      expect([await lastValueFrom(fromRequest), await lastValueFrom(fromRequest)]).toEqual(['echo: again', 'echo: again']);
      expect(bodies.slice(2)).toEqual(Array(2).fill('POST req text/event-stream {"question":"again"}'));
    });

    it('unsubscribing aborts the fetch: the server sees the close and aborts its model', async () => {
      const probe = probeRunnable(['a', 'b', 'c'], { stallAfter: 2 });
      const deliveries: ServerSentEventsDelivery[] = [];
      const http = await listen((_req, res) => deliveries.push(sendServerSentEvents(fromRunnable(probe, 'q').pipe(textContent()), res, ANY_CLIENT)));
      cleanup(() => http.close());
      const got: string[] = [];
      const subscription = fromServerSentEvents(http.url).subscribe((t) => got.push(t));
      await until(() => got.length === 2, 'two chunks');
      subscription.unsubscribe();
      expect(await deliveries[0].finished).toBe('client-closed');
      await until(() => probe.requests[0].finished, 'the model to stop');
      expect(probe.requests[0].signal?.aborted).toBe(true);
      expect(got).toEqual(['a', 'b']);
    });

    it('a server error event errors with RemoteStreamError (name, code, partialText); abortOn still works downstream', async () => {
      const probe = probeRunnable(['Part', 'ial'], { failAfter: 2, failWith: Object.assign(new Error('rate limited'), { code: 'RATE' }) });
      const http = await listen((_req, res) => sendServerSentEvents(fromRunnable(probe, 'q').pipe(textContent()), res, ANY_CLIENT));
      cleanup(() => http.close());
      const { values, error } = await settle(fromServerSentEvents(http.url));
      expect(values).toEqual(['Part', 'ial']);
      expect(error).toBeInstanceOf(RemoteStreamError);
      expect(error).toMatchObject({ message: 'rate limited', remoteName: 'Error', remoteCode: 'RATE', partialText: 'Partial', code: 'SSE_REMOTE_ERROR' });
      const stopped = await settle(fromServerSentEvents(http.url).pipe(abortOn(['ial'], { mode: 'complete' })));
      expect(stopped).toEqual({ values: ['Part'] });
    });

    it("parse: 'events' gives every event with its id and decoded data, done last", async () => {
      const http = await listen((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(frame('chunk', 1, { text: 'hi' }) + ': ping\n\n' + frame('progress', 2, { chars: 2 }) + frame('done', 3, { chunks: 1 }));
      });
      cleanup(() => http.close());
      expect(await lastValueFrom(fromServerSentEvents(http.url, { parse: 'events' }).pipe(toArray()))).toEqual([
        { event: 'chunk', id: '1', data: { text: 'hi' } },
        { event: 'progress', id: '2', data: { chars: 2 } },
        { event: 'done', id: '3', data: { chunks: 1 } },
      ]);
    });
  });

  describe('typed errors', () => {
    it('an HTTP error status or another content type: ServerSentEventsResponseError with the body, nothing emitted', async () => {
      const http = await listen((req, res) => {
        if (req.url === '/big') {
          res.writeHead(413, { 'content-type': 'application/json' });
          res.end('{"error":"Request body over 16384 bytes."}');
        } else {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<h1>hi</h1>');
        }
      });
      cleanup(() => http.close());
      const big = await settle(fromServerSentEvents(`${http.url}/big`));
      expect(big.values).toEqual([]);
      expect(big.error).toBeInstanceOf(ServerSentEventsResponseError);
      expect(big.error).toMatchObject({ status: 413, bodyText: '{"error":"Request body over 16384 bytes."}', message: 'The server answered HTTP 413 Payload Too Large: {"error":"Request body over 16384 bytes."}' });
      const html = await settle(fromServerSentEvents(http.url));
      expect(html.error).toMatchObject({ status: 200, contentType: 'text/html', message: 'The server answered with content-type "text/html" instead of text/event-stream: <h1>hi</h1>' });
    });

    it('a stream that ends without done, or whose connection drops, is a cut: StreamInterruptedError with partialText and the chunks with content', async () => {
      const http = await listen((req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        // An empty text event is no chunk with content (ChunkStats, as every operator counts).
        res.write(frame('chunk', 1, { text: '你好' }) + frame('chunk', 2, { text: '' }) + frame('chunk', 3, { text: '😀' }));
        if (req.url === '/drop') setTimeout(() => res.destroy(), 20);
        else res.end();
      });
      cleanup(() => http.close());
      const ended = await settle(fromServerSentEvents(http.url));
      expect(ended.values).toEqual(['你好', '😀']);
      expect(ended.error).toBeInstanceOf(StreamInterruptedError);
      expect(ended.error).toMatchObject({ reason: 'no-finish', partialText: '你好😀', chunks: 2 });
      const dropped = await settle(fromServerSentEvents(`${http.url}/drop`));
      expect(dropped.error).toMatchObject({ reason: 'error', partialText: '你好😀' });
      expect((dropped.error as Error).cause).toMatchObject({ name: 'TypeError', message: 'terminated' }); // undici's, from another realm
    });

    it('a malformed frame or an event over maxEventChars is a cut too', async () => {
      const http = await listen((req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(req.url === '/big' ? `event: chunk\ndata: {"text":"${'x'.repeat(200)}"}\n\n` : 'event: chunk\ndata: {"text":\n\n');
      });
      cleanup(() => http.close());
      const malformed = await settle(fromServerSentEvents(http.url));
      expect(malformed.error).toBeInstanceOf(StreamInterruptedError);
      expect((malformed.error as Error).cause).toBeInstanceOf(SyntaxError);
      const big = await settle(fromServerSentEvents(`${http.url}/big`, { maxEventChars: 100 }));
      expect(big.error).toBeInstanceOf(StreamInterruptedError);
      expect(((big.error as Error).cause as Error).message).toBe('An event is longer than 100 characters (maxEventChars).');
    });

    it("the caller's own signal errors with StreamAbortedError; bad arguments throw at call time", async () => {
      const http = await listen((_req, res) => sendServerSentEvents(fromRunnable(probeRunnable(['a', 'b'], { stallAfter: 1 }), 'q').pipe(textContent()), res, ANY_CLIENT));
      cleanup(() => http.close());
      const controller = new AbortController();
      const pending = settle(fromServerSentEvents(http.url, { signal: controller.signal }));
      setTimeout(() => controller.abort(), 50);
      expect((await pending).error).toBeInstanceOf(StreamAbortedError);
      expect(() => fromServerSentEvents(42 as never)).toThrow(new TypeError('fromServerSentEvents: input must be a URL string, a URL or a Request, got the number 42.'));
      expect(() => fromServerSentEvents('/x', { parse: 'json' as never })).toThrow(/parse must be 'text', 'events' or 'ui-message'/);
      expect(() => fromServerSentEvents('/x', { resume: { count: -1 } })).toThrow(RangeError);
      expect(() => fromServerSentEvents('/x', { maxEventChars: 0 })).toThrow(RangeError);
    });
  });

  describe('UI message streams', () => {
    it("parse: 'ui-message' gives the chunks up to [DONE]; decodeUIMessageStream gives parts the text operators read", async () => {
      const http = await listen((_req, res) => sendUIMessageStream(fromRunnable(new ScriptedChatModel({ reply: TRICKY_REPLY }), 'q'), res, { ...ANY_CLIENT, messageId: 'm' }));
      cleanup(() => http.close());
      const chunks = await lastValueFrom(fromServerSentEvents(http.url, { parse: 'ui-message' }).pipe(toArray()));
      expect(chunks[0]).toEqual({ type: 'start', messageId: 'm' });
      expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
      const parts = await lastValueFrom(fromServerSentEvents(http.url, { parse: 'ui-message' }).pipe(decodeUIMessageStream(), toArray()));
      expect(parts[0]).toEqual({ type: 'step-start', step: 0 });
      expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
      const text = parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
      expect(text).toBe(TRICKY_REPLY);
    });

    it('decodes tool calls and results, errors with RemoteStreamError on an error chunk, completes on abort', async () => {
      const chunks: UIMessageChunk[][] = [
        [
          { type: 'start' },
          { type: 'start-step' },
          { type: 'tool-input-start', toolCallId: 'c', toolName: 'add' },
          { type: 'tool-input-delta', toolCallId: 'c', inputTextDelta: '{"a":1}' },
          { type: 'tool-input-available', toolCallId: 'c', toolName: 'add', input: { a: 1 } },
          { type: 'tool-output-available', toolCallId: 'c', output: 2 },
          { type: 'finish-step' },
          { type: 'data-weather', data: { t: 20 }, transient: true },
          { type: 'text-start', id: 't' },
          { type: 'text-delta', id: 't', delta: 'two' },
          { type: 'error', errorText: 'model down' },
        ],
        [{ type: 'start' }, { type: 'start-step' }, { type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: 'x' }, { type: 'abort' }],
      ];
      const http = await listen((req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-vercel-ai-ui-message-stream': 'v1' });
        res.end(chunks[Number(req.url!.slice(1))].map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n');
      });
      cleanup(() => http.close());
      const failed = await settle(fromServerSentEvents(`${http.url}/0`, { parse: 'ui-message' }).pipe(decodeUIMessageStream()));
      expect(failed.values).toEqual([
        { type: 'step-start', step: 0 },
        { type: 'tool-call-start', id: 'c', name: 'add', index: 0 },
        { type: 'tool-call-delta', id: 'c', argsText: '{"a":1}' },
        { type: 'tool-call', id: 'c', name: 'add', args: { a: 1 } },
        { type: 'tool-result', id: 'c', name: 'add', content: 2, isError: false },
        { type: 'step-finish', step: 0 },
        { type: 'custom', data: { t: 20 } },
        { type: 'text', text: 'two' },
      ]);
      expect(failed.error).toBeInstanceOf(RemoteStreamError);
      expect(failed.error).toMatchObject({ message: 'model down', partialText: 'two' });
      const aborted = await settle(fromServerSentEvents(`${http.url}/1`, { parse: 'ui-message' }).pipe(decodeUIMessageStream()));
      expect(aborted).toEqual({ values: [{ type: 'step-start', step: 0 }, { type: 'text', text: 'x' }] });
      const wrongMode = await settle(fromServerSentEvents(`${http.url}/1`));
      expect((wrongMode.error as Error).message).toBe("fromServerSentEvents: the server sent an AI SDK UI message stream; read it with { parse: 'ui-message' }.");
    });

    it('a UI message stream without [DONE] is a cut', async () => {
      const http = await listen((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: {"type":"start"}\n\ndata: {"type":"text-start","id":"t"}\n\ndata: {"type":"text-delta","id":"t","delta":"半"}\n\n');
      });
      cleanup(() => http.close());
      const cut = await settle(fromServerSentEvents(http.url, { parse: 'ui-message' }));
      expect(cut.values).toHaveLength(3);
      expect(cut.error).toMatchObject({ reason: 'no-finish', partialText: '半', chunks: 1 });
    });
  });

  describe('resume', () => {
    /** A server that resumes after Last-Event-ID; the first response drops after 3 events. */
    async function resumingServer(reply: string[]) {
      const seen: (string | undefined)[] = [];
      const http = await listen((req, res: ServerResponse) => {
        const last = req.headers['last-event-id'] as string | undefined;
        seen.push(last);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const from = last === undefined ? 0 : Number(last);
        const to = last === undefined ? 3 : reply.length;
        let out = seen.length === 1 ? 'retry: 10\n\n' : '';
        for (let i = from; i < to; i++) out += frame('chunk', i + 1, { text: reply[i] });
        if (to === reply.length) return res.end(out + frame('done', reply.length + 1, { chunks: reply.length }));
        res.write(out);
        setTimeout(() => res.destroy(), 20);
      });
      return { ...http, seen };
    }

    it('reconnects with Last-Event-ID after a drop and continues byte-exact, without repeating text', async () => {
      const reply = ['第一', '行\n', '😀', ' second', ' line\r\n', 'end'];
      const server = await resumingServer(reply);
      cleanup(() => server.close());
      const texts = await lastValueFrom(fromServerSentEvents(server.url, { resume: true }).pipe(toArray()));
      expect(texts).toEqual(reply);
      expect(server.seen).toEqual([undefined, '3']);
    });

    it('against a server without resume (it starts the reply over) it fails with StreamResumeError and never repeats text', async () => {
      const model = new ScriptedChatModel({ reply: 'one two three four five six seven', chunkDelayMs: 5 });
      let requests = 0;
      const deliveries: ServerSentEventsDelivery[] = [];
      const http = await listen((req, res) => {
        const first = ++requests === 1;
        let seen = 0;
        // The first response drops as its third chunk comes (the first two went out 5 ms apart, so they are on the wire).
        const stream = fromRunnable(model, 'q').pipe(
          textContent(),
          tap(() => first && ++seen === 3 && res.destroy()),
        );
        deliveries.push(sendServerSentEvents(stream, res, { ...ANY_CLIENT, heartbeatMs: 0 }));
        expect(req.headers['last-event-id']).toBe(first ? undefined : '2');
      });
      cleanup(() => http.close());
      const { values, error } = await settle(fromServerSentEvents(http.url, { resume: { delayMs: 0 } }));
      expect(error).toBeInstanceOf(StreamResumeError);
      expect((error as Error).message).toMatch(/^The stream could not be resumed: the server did not resume after Last-Event-ID 2: it sent id 1 \(it probably started the reply over\)/);
      expect(values.join('')).toBe((error as StreamResumeError).partialText);
      expect(values).toHaveLength(2);
      expect(requests).toBe(2);
      expect(await deliveries[1].finished).toBe('client-closed'); // the restarted reply was aborted at once
    });

    it('a stream without ids cannot resume; a server that refuses reconnections fails after the attempts', async () => {
      let calls = 0;
      const http = await listen((req, res) => {
        calls++;
        if (req.headers['last-event-id']) {
          res.writeHead(503, { 'content-type': 'text/plain' });
          return res.end('busy');
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(req.url === '/ids' ? frame('chunk', 7, { text: 'a' }) : 'event: chunk\ndata: {"text":"a"}\n\n');
      });
      cleanup(() => http.close());
      const noIds = await settle(fromServerSentEvents(http.url, { resume: true }));
      expect(noIds.error).toBeInstanceOf(StreamResumeError);
      expect(noIds.error).toMatchObject({ lastEventId: undefined, partialText: 'a' });
      expect((noIds.error as Error).message).toMatch(/the server sent no event ids/);
      expect(calls).toBe(1);
      const refused = await settle(fromServerSentEvents(`${http.url}/ids`, { resume: { delayMs: 0, count: 2 } }));
      expect((refused.error as Error).message).toMatch(/^The stream could not be resumed: the server answered HTTP 503/);
      expect(refused.error).toMatchObject({ lastEventId: '7', partialText: 'a' });
      expect(calls).toBe(3);
    });

    it('resume.input / resume.init reconnect elsewhere (the AI SDK resume endpoint); 204 means nothing to resume', async () => {
      const urls: string[] = [];
      const http = await listen((req, res) => {
        urls.push(`${req.method} ${req.url} ${req.headers['last-event-id'] ?? '-'}`);
        if (req.url === '/api/chat/c1/stream') {
          res.writeHead(204);
          return res.end();
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-vercel-ai-ui-message-stream': 'v1' });
        res.write('id: 1\ndata: {"type":"start"}\n\n');
        setTimeout(() => res.destroy(), 20);
      });
      cleanup(() => http.close());
      const { error } = await settle(
        fromServerSentEvents(`${http.url}/api/chat`, {
          method: 'POST',
          body: '{}',
          parse: 'ui-message',
          resume: { input: `${http.url}/api/chat/c1/stream`, init: { method: 'GET' }, delayMs: 0 },
        }).pipe(filter(Boolean), map((c) => c.type)),
      );
      expect((error as Error).message).toMatch(/the server has no stream to resume \(204\)/);
      expect(urls).toEqual(['POST /api/chat -', 'GET /api/chat/c1/stream 1']);
    });
  });
});
