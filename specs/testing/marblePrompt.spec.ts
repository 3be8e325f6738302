import { AIMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import {
  ChatMessagePromptTemplate,
  ChatPromptTemplate,
  FewShotChatMessagePromptTemplate,
  HumanMessagePromptTemplate,
  MessagesPlaceholder,
  PromptTemplate,
} from '@langchain/core/prompts';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { AIMessageChunk } from '@langchain/core/messages';
import { formatPromptSync, parseStringSync, whyNotSyncParser, whyNotSyncPrompt } from '../../src/testing/marblePrompt';

/** Sync formatting must give exactly what LangChain's async formatting gives. */
async function expectSameAsLangChain(prompt: ChatPromptTemplate | PromptTemplate, input: Record<string, unknown>): Promise<void> {
  expect(whyNotSyncPrompt(prompt)).toBeUndefined();
  const expected = (await prompt.invoke(input)).toChatMessages();
  expect(formatPromptSync(prompt, input)).toEqual(expected);
}

describe('formatPromptSync equals LangChain formatting', () => {
  it('f-string chat prompt with a history placeholder, Chinese and emoji', async () => {
    const prompt = ChatPromptTemplate.fromMessages([
      ['system', '你是{role} 🤖'],
      new MessagesPlaceholder('history'),
      ['human', '{question}'],
    ]);
    await expectSameAsLangChain(prompt, {
      role: '故事讲述者',
      history: [new HumanMessage('嗨'), new AIMessage('你好 👋🏽')],
      question: '讲一个关于程序员的故事',
    });
  });

  it('placeholder tuple (optional), message-like history, ai and static messages', async () => {
    const prompt = ChatPromptTemplate.fromMessages([
      new SystemMessage('固定的系统消息'),
      ['placeholder', '{history}'],
      ['ai', '上次说到{topic}'],
      ['human', '{q}'],
    ]);
    await expectSameAsLangChain(prompt, { topic: 'Rust', q: '继续' });
    await expectSameAsLangChain(prompt, { topic: 'Rust', q: '继续', history: [['human', 'hi'], ['ai', 'hello']] });
  });

  it('mustache templates and string partials', async () => {
    const prompt = ChatPromptTemplate.fromMessages([['system', '{{role}} says {{greeting}}'], ['human', '{{q}}']], {
      templateFormat: 'mustache',
    });
    await expectSameAsLangChain(await prompt.partial({ greeting: '你好' }), { role: '助手', q: '？' });
  });

  it('ChatMessagePromptTemplate roles and multi-part human content with an image', async () => {
    const prompt = ChatPromptTemplate.fromMessages([
      ChatMessagePromptTemplate.fromTemplate('{x}', 'critic'),
      HumanMessagePromptTemplate.fromTemplate([{ text: '看这张图：{what}' }, { image_url: '{url}' }]),
    ]);
    await expectSameAsLangChain(prompt, { x: '严格', what: '猫', url: 'https://example.com/cat.png' });
  });

  it('a PromptTemplate becomes one human message, as a chat model reads it', async () => {
    const prompt = PromptTemplate.fromTemplate('介绍一下{lang}');
    expect(formatPromptSync(prompt, { lang: 'Python' })).toEqual([new HumanMessage('介绍一下Python')]);
    expect((await prompt.invoke({ lang: 'Python' })).toChatMessages()).toEqual([new HumanMessage('介绍一下Python')]);
  });

  it('missing variables and a missing placeholder throw LangChain’s errors', async () => {
    const prompt = ChatPromptTemplate.fromMessages([new MessagesPlaceholder('history'), ['human', '{q}']]);
    expect(() => formatPromptSync(prompt, { history: [] })).toThrow('Missing value for input variable `q`');
    await expect(prompt.invoke({ history: [] } as never)).rejects.toThrow('Missing value for input variable `q`');
    expect(() => formatPromptSync(prompt, { q: 'x' })).toThrow('Missing value for input variable `history`');
    await expect(prompt.invoke({ q: 'x' } as never)).rejects.toThrow('Missing value for input variable `history`');
    const mustache = ChatPromptTemplate.fromMessages([new MessagesPlaceholder('history')], { templateFormat: 'mustache' });
    expect(() => formatPromptSync(mustache, {})).toThrow(/MessagesPlaceholder.*Received: undefined/);
    await expect(mustache.invoke({})).rejects.toThrow(/MessagesPlaceholder.*Received: undefined/);
  });

  it('a non-object input is a TypeError', () => {
    expect(() => formatPromptSync(PromptTemplate.fromTemplate('{x}'), 'x')).toThrow(TypeError);
  });
});

describe('what is declined (formatted by LangChain asynchronously instead)', () => {
  it('function partials, unknown prompt classes and subclasses', async () => {
    const withFn = await ChatPromptTemplate.fromMessages([['human', '{now} {q}']]).partial({ now: () => 'today' });
    expect(whyNotSyncPrompt(withFn)).toBe('the partial variable "now" is a function (its value may be async)');
    const fewShot = new FewShotChatMessagePromptTemplate({
      examples: [],
      examplePrompt: ChatPromptTemplate.fromMessages([['human', '{x}']]),
      inputVariables: [],
    });
    expect(whyNotSyncPrompt(fewShot)).toBe('FewShotChatMessagePromptTemplate is not a ChatPromptTemplate or PromptTemplate');
    class MyPrompt extends ChatPromptTemplate {}
    const mine = new MyPrompt({ promptMessages: [], inputVariables: [] });
    expect(whyNotSyncPrompt(mine)).toMatch(/is not a ChatPromptTemplate/);
    expect(whyNotSyncPrompt((x: unknown) => x)).toBe('a function (RunnableLambda) is not a ChatPromptTemplate or PromptTemplate');
  });

  it('only StringOutputParser after the model; it maps a chunk as LangChain does', async () => {
    const parser = new StringOutputParser();
    expect(whyNotSyncParser(parser)).toBeUndefined();
    expect(whyNotSyncParser({})).toMatch(/is not a StringOutputParser/);
    const c = new AIMessageChunk({ content: [{ type: 'text', text: '你' }, { type: 'text', text: '好' }] });
    expect(parseStringSync(parser, c)).toBe(await parser.invoke(c));
    expect(parseStringSync(parser, 'x')).toBe('x');
    // Every part kind as LangChain's own parser reads it, errors included (public API only: no underscore helper).
    const kinds = [
      new AIMessageChunk('你好 👋'),
      new AIMessageChunk({ content: [{ type: 'reasoning', reasoning: '想' } as never, { type: 'text', text: '答 🎉' }, { type: 'text_delta', text: '!' } as never] }),
      new AIMessageChunk({ content: [{ type: 'thinking', thinking: '…' } as never, { type: 'redacted_thinking', data: 'x' } as never] }),
      new AIMessageChunk({ content: [{ type: 'image_url', image_url: 'data:,' }] }),
      new AIMessageChunk({ content: [{ type: 'tool_use', id: 't', name: 'add', input: {} } as never] }),
      new AIMessageChunk({ content: [{ type: 'text' } as never] }),
    ];
    for (const chunk of kinds) {
      const theirs = await parser.invoke(chunk).then((text) => ({ text }), (e: Error) => ({ error: e.message }));
      let ours: { text: string } | { error: string };
      try {
        ours = { text: parseStringSync(parser, chunk) };
      } catch (e) {
        ours = { error: (e as Error).message };
      }
      expect(ours).toEqual(theirs);
    }
  });
});
