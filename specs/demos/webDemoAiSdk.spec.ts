import { parseJsonEventStream, readUIMessageStream, uiMessageChunkSchema, type UIMessage, type UIMessageChunk } from 'ai';
import { AGENT_SYSTEM_PROMPT, startWebDemo } from '../../demos/web/server';
import { ScriptedChatModel } from '../../src/testing';
import { replyTo } from '../../src/offline/cannedReplies';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

const chatRequest = (messages: unknown, id = 'chat-1-0123456789abcdef'): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ id, messages, trigger: 'submit-message' }),
});

describe('web demo: POST /api/chat (the AI SDK UI message stream)', () => {
  it("answers a turn of the conversation, read with the SDK parser; the server's history is the conversation (of the client's messages only the new one)", async () => {
    const seen: string[][] = [];
    const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel({ onRequest: (m) => seen.push(m.map((x) => `${x.getType()}:${x.text}`)) }) });
    cleanup(() => demo.close());
    await (await fetch(demo.url + '/api/chat', chatRequest([{ id: 'u1', role: 'user', parts: [{ type: 'text', text: '你好' }] }]))).text();
    const response = await fetch(
      demo.url + '/api/chat',
      chatRequest([
        { id: 'u1', role: 'user', parts: [{ type: 'text', text: '你好' }] },
        { id: 'a1', role: 'assistant', parts: [{ type: 'step-start' }, { type: 'text', text: '客户端改写的回答', state: 'done' }] },
        { id: 'u2', role: 'user', parts: [{ type: 'text', text: '讲一个关于Python的笑话' }] },
      ]),
    );
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    const chunks = parseJsonEventStream({ stream: response.body!, schema: uiMessageChunkSchema }).pipeThrough(
      new TransformStream<{ success: boolean; value?: UIMessageChunk; error?: unknown }, UIMessageChunk>({
        transform(result, controller) {
          if (!result.success) throw result.error;
          controller.enqueue(result.value!);
        },
      }),
    );
    let message: UIMessage | undefined;
    for await (const snapshot of readUIMessageStream({ stream: chunks })) message = snapshot;
    expect(message!.parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text)).toEqual([replyTo('讲一个关于Python的笑话')]);
    // The offline agent's prompt (createAgent sends it as a text block), then the stored conversation (not the client's rewrite).
    expect(seen[1]).toEqual([`system:${AGENT_SYSTEM_PROMPT}`, 'human:你好', `ai:${replyTo('你好')}`, 'human:讲一个关于Python的笑话']);
  });

  it('bad requests get a status and a message, and never run the model', async () => {
    let requests = 0;
    const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel({ onRequest: () => requests++ }), maxChatBodyBytes: 1000 });
    cleanup(() => demo.close());
    const bad = await fetch(demo.url + '/api/chat', chatRequest([{ id: 'u', role: 'user', parts: [{ type: 'video', url: 'x' }] }]));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^messages\[0\]\.parts\[0\]\.type: unknown part type "video"/);
    const notArray = await fetch(demo.url + '/api/chat', chatRequest({ text: 'hi' }));
    expect(notArray.status).toBe(400);
    const big = await fetch(demo.url + '/api/chat', chatRequest([{ id: 'u', role: 'user', parts: [{ type: 'text', text: 'x'.repeat(2000) }] }]));
    expect(big.status).toBe(413);
    expect((await fetch(demo.url + '/api/chat')).status).toBe(405);
    const crossSite = await fetch(demo.url + '/api/chat', { ...chatRequest([]), headers: { 'content-type': 'application/json', origin: 'http://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect(requests).toBe(0);
  });
});
