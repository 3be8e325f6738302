import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { lastValueFrom } from 'rxjs';
import { BadUIMessagesError, collectText, fromRunnable, fromUIMessages } from '../../src';
import { startFakeOpenAIServer } from '../../src/testing';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

/** The assistant message the AI SDK client rebuilt for an agent run (see uiMessageStream.client.spec.ts). */
const agentReply = {
  id: 'msg-1',
  role: 'assistant',
  parts: [
    { type: 'step-start' },
    { type: 'reasoning', text: 'sum first', state: 'done' },
    { type: 'text', text: '我来算一下 🧮\n', state: 'done' },
    { type: 'tool-add', toolCallId: 'call_1', state: 'output-available', input: { a: 2, b: 3 }, output: '5' },
    { type: 'tool-python_release', toolCallId: 'call_2', state: 'output-available', input: { version: '3.12' }, output: { released: '2023-10-02' } },
    { type: 'step-start' },
    { type: 'text', text: '2 + 3 = 5.', state: 'done' },
    { type: 'data-progress', data: { chars: 3 } },
  ],
};

const bad = (messages: unknown, options?: Parameters<typeof fromUIMessages>[1]): BadUIMessagesError => {
  try {
    fromUIMessages(messages, options);
  } catch (error) {
    expect(error).toBeInstanceOf(BadUIMessagesError);
    return error as BadUIMessagesError;
  }
  throw new Error('fromUIMessages accepted bad input');
};

describe('fromUIMessages', () => {
  it('turns system, user and assistant messages into LangChain messages, text exact', () => {
    const messages = fromUIMessages([
      { id: 's', role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
      { id: 'u', role: 'user', parts: [{ type: 'text', text: '你好 😀\n第二行' }] },
      { id: 'a', role: 'assistant', parts: [{ type: 'step-start' }, { type: 'text', text: 'Hi!', state: 'done' }] },
      { id: 'u2', role: 'user', metadata: { at: 1 }, parts: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
    ]);
    expect(messages).toEqual([
      new SystemMessage('Be brief.'),
      new HumanMessage('你好 😀\n第二行'),
      new AIMessage('Hi!'),
      new HumanMessage({ content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }),
    ]);
  });

  it('an agent reply becomes an AIMessage with tool_calls, one ToolMessage per result, then the next step', () => {
    const messages = fromUIMessages([{ id: 'u', role: 'user', parts: [{ type: 'text', text: '2+3? And Python 3.12?' }] }, agentReply]);
    expect(messages).toEqual([
      new HumanMessage('2+3? And Python 3.12?'),
      new AIMessage({
        content: '我来算一下 🧮\n',
        tool_calls: [
          { id: 'call_1', name: 'add', args: { a: 2, b: 3 }, type: 'tool_call' },
          { id: 'call_2', name: 'python_release', args: { version: '3.12' }, type: 'tool_call' },
        ],
      }),
      new ToolMessage({ content: '5', tool_call_id: 'call_1', name: 'add' }),
      new ToolMessage({ content: '{"released":"2023-10-02"}', tool_call_id: 'call_2', name: 'python_release' }),
      new AIMessage('2 + 3 = 5.'),
    ]);
  });

  it('failed and denied calls answer with status error; calls without a result are left out; dynamic tools keep their name', () => {
    const messages = fromUIMessages([
      {
        id: 'a',
        role: 'assistant',
        parts: [
          { type: 'tool-search', toolCallId: 'c1', state: 'output-error', input: undefined, rawInput: '{"q":', errorText: 'bad JSON' },
          { type: 'dynamic-tool', toolName: 'mcp_fetch', toolCallId: 'c2', state: 'output-denied', input: { url: 'x' }, approval: { id: 'p', approved: false, reason: 'not now' } },
          { type: 'tool-slow', toolCallId: 'c3', state: 'input-available', input: { n: 1 } },
          { type: 'tool-slow', toolCallId: 'c4', state: 'input-streaming', input: { n: 2 } },
        ],
      },
    ]);
    expect(messages).toEqual([
      new AIMessage({
        content: '',
        tool_calls: [
          { id: 'c1', name: 'search', args: {}, type: 'tool_call' },
          { id: 'c2', name: 'mcp_fetch', args: { url: 'x' }, type: 'tool_call' },
        ],
      }),
      new ToolMessage({ content: 'bad JSON', tool_call_id: 'c1', name: 'search', status: 'error' }),
      new ToolMessage({ content: 'The user denied this tool call: not now', tool_call_id: 'c2', name: 'mcp_fetch', status: 'error' }),
    ]);
  });

  it('an image file becomes an image_url block; sources, reasoning and data parts are skipped', () => {
    const messages = fromUIMessages([
      {
        id: 'u',
        role: 'user',
        parts: [
          { type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,AAAA', filename: 'a.png' },
          { type: 'text', text: 'What is this?' },
          { type: 'source-url', sourceId: 's', url: 'https://example.com' },
          { type: 'data-note', data: 1 },
        ],
      },
    ]);
    expect(messages).toEqual([
      new HumanMessage({ content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }, { type: 'text', text: 'What is this?' }] }),
    ]);
  });

  it('the messages drive the real ChatOpenAI: the provider gets the tool calls and tool results in order', async () => {
    const server = await startFakeOpenAIServer({ reply: 'Done.' });
    cleanup(() => server.close());
    const model = new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: server.baseURL } });
    const input = fromUIMessages([{ id: 'u', role: 'user', parts: [{ type: 'text', text: 'q' }] }, agentReply]);
    expect(await lastValueFrom(fromRunnable(model, input).pipe(collectText()))).toBe('Done.');
    const sent = server.requests[0].body.messages as { role: string; content: unknown; tool_calls?: { id: string }[]; tool_call_id?: string }[];
    expect(sent.map((m) => [m.role, m.tool_calls?.map((c) => c.id) ?? m.tool_call_id ?? null])).toEqual([
      ['user', null],
      ['assistant', ['call_1', 'call_2']],
      ['tool', 'call_1'],
      ['tool', 'call_2'],
      ['assistant', null],
    ]);
  });

  describe('bad input: a typed error with the status and a message that says where', () => {
    it('not an array, not a message, a bad role, parts not an array', () => {
      expect(bad({ messages: [] })).toMatchObject({ status: 400, path: 'messages', message: 'messages: must be an array of UIMessages ({ id, role, parts }), got an object (Object)' });
      expect(bad([null]).message).toBe('messages[0]: must be a UIMessage object ({ id, role, parts }), got null');
      expect(bad([{ role: 'wizard', parts: [] }]).message).toBe(`messages[0].role: must be 'system', 'user' or 'assistant', got the string "wizard"`);
      expect(bad([{ role: 'user', content: 'hi' }]).message).toBe('messages[0].parts: must be an array, got undefined');
    });

    it('unknown part types and states, wrong field types, misplaced parts', () => {
      const user = (part: unknown) => [{ role: 'user', parts: [{ type: 'text', text: 'ok' }, part] }];
      expect(bad(user({ type: 'video', url: 'x' }))).toMatchObject({ status: 400, path: 'messages[0].parts[1].type' });
      expect(bad(user({ type: 'video' })).message).toMatch(/unknown part type "video" \(known: text, file/);
      expect(bad(user({ type: 'text', text: 42 })).message).toBe('messages[0].parts[1].text: must be a string, got the number 42');
      expect(bad(user('text')).message).toBe('messages[0].parts[1]: must be a part object with a string type, got the string "text"');
      expect(bad(user({ type: 'file', mediaType: 'application/pdf', url: 'x' })).message).toMatch(/only image files in user messages are supported/);
      expect(bad(user({ type: 'tool-add', toolCallId: 'c', state: 'output-available' })).message).toMatch(/tool parts belong to assistant messages/);
      const assistant = (part: unknown) => [{ role: 'assistant', parts: [part] }];
      expect(bad(assistant({ type: 'tool-add', toolCallId: 'c', state: 'done' })).message).toBe('messages[0].parts[0].state: unknown tool state the string "done"');
      expect(bad(assistant({ type: 'tool-add', state: 'output-available' })).message).toBe('messages[0].parts[0].toolCallId: must be a string, got undefined');
      expect(bad(assistant({ type: 'tool-add', toolCallId: 'c', state: 'output-available', input: 'x' })).message).toMatch(/input: must be an object of tool arguments/);
      expect(bad(assistant({ type: 'tool-', toolCallId: 'c', state: 'output-available' })).message).toMatch(/needs a tool name/);
    });

    it('over the part or character limit: status 413, characters counted as code points', () => {
      const parts = Array.from({ length: 3 }, () => ({ type: 'text', text: 'x' }));
      expect(bad([{ role: 'user', parts }], { maxParts: 2 })).toMatchObject({ status: 413, message: 'messages[0].parts: the messages hold more than 2 parts (maxParts)' });
      // 5 emoji are 10 UTF-16 units but 5 characters
      expect(fromUIMessages([{ role: 'user', parts: [{ type: 'text', text: '😀😀😀😀😀' }] }], { maxChars: 5 })).toHaveLength(1);
      expect(bad([{ role: 'user', parts: [{ type: 'text', text: '😀😀😀😀😀😀' }] }], { maxChars: 5 })).toMatchObject({
        status: 413,
        path: 'messages[0].parts[0].text',
      });
      expect(bad([{ role: 'assistant', parts: [{ type: 'tool-a', toolCallId: 'c', state: 'output-available', input: {}, output: 'x'.repeat(11) }] }], { maxChars: 10 }).status).toBe(413);
    });

    it('bad options at call time', () => {
      expect(() => fromUIMessages([], { maxParts: 0 })).toThrow(new RangeError('fromUIMessages: maxParts must be an integer >= 1, got the number 0.'));
      expect(() => fromUIMessages([], 'x' as never)).toThrow(TypeError);
    });
  });
});
