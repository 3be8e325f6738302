// The three "Testing your pipelines" examples of docs/testing.md and its Observable-native test double,, verbatim except for the
// imports: the README imports from 'rxjs-langchain' and 'rxjs-langchain/testing',
// these specs from the sources. Keep both in sync.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filter, map, take, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessageChunk } from '@langchain/core/messages';
import { fromRunnable, textContent, abortOn, streamTimeout, retryBeforeFirstChunk, chatTurns, observeStream } from '../../src';
import type { ObservableRunnable, StreamableRunnable } from '../../src';
import { SyncInMemoryChatMessageHistory } from '../../src/testing';
import { chunk, marbleChatModel, providerError } from '../../src/testing';

// ── Example 1: a forbidden-word filter stops at the right frame and aborts the model ──
// The pipeline under test:
const prompt = ChatPromptTemplate.fromMessages([['system', '你是编程助手'], ['human', '介绍一下{lang}']]);
function introduce(model: BaseChatModel, lang: string) {
  return fromRunnable(prompt.pipe(model), { lang }).pipe(textContent(), abortOn(['Java'], { mode: 'complete' }));
}

test('stops where "Java" is complete, never shows "Ja", and aborts the model', () => {
  const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  testScheduler.run(({ expectObservable, expectSubscriptions }) => {
    const model = marbleChatModel('-a-b-c-d|', { a: 'Python 比 ', b: 'Ja', c: 'va 简单 🐍', d: '。' });
    const expected =              '-a---|';
    // The model was unsubscribed at frame 5, when "va" completed the word: the request was aborted.
    const modelSubs =             '^----!';
    expectObservable(introduce(model, 'Python')).toBe(expected, { a: 'Python 比 ' });
    expectSubscriptions(model.subscriptions).toBe(modelSubs);
  });
});

// ── Example 2: a first-chunk timeout, then a 429, then success ──
function ask(model: BaseChatModel, question: string) {
  return fromRunnable(model, question).pipe(
    streamTimeout({ firstChunkMs: 3 }),
    retryBeforeFirstChunk({ count: 2, delay: 100 }),
    textContent(),
  );
}

test('retries a stalled first chunk, honours Retry-After of a 429, then streams', () => {
  const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  testScheduler.run(({ expectObservable, expectSubscriptions }) => {
    const model = marbleChatModel(
      [
        '------', // 1st call: no first chunk (a stall), timed out at frame 3
        '--#', // 2nd call: 429 with retry-after 2 s
        '-a-b|', // 3rd call: the answer
      ],
      { a: '你', b: '好' },
      { error: providerError(429, { retryAfterMs: 2000 }) },
    );
    const expected = '2106ms a-b|';
    const modelSubs = [
      '^--!', // timed out after 3 ms
      '103ms ^-!', // retried after the 100 ms delay, got the 429
      '2105ms ^---!', // retried after Retry-After (2000 ms), streamed
    ];
    expectObservable(ask(model, '你好')).toBe(expected, { a: '你', b: '好' });
    expectSubscriptions(model.subscriptions).toBe(modelSubs);
  });
});

// ── Example 3: a chat turn sees the previous turn in its history ──
const chatPrompt = ChatPromptTemplate.fromMessages([
  ['system', '你是专业的Python助手'],
  new MessagesPlaceholder('history'),
  ['human', '{question}'],
]);

test('the second turn is prompted with the first question and the full first answer', () => {
  const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const done = { response_metadata: { finish_reason: 'stop' } }; // a reply proves it is complete
  const model = marbleChatModel(
    { '什么是列表？': '-a-b|', '怎么排序？': '-c|' },
    { a: '列表是', b: chunk('有序的 📋', done), c: chunk('用 sorted()', done) },
  );
  const history = new SyncInMemoryChatMessageHistory();
  testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
    const questions = cold('a-----b|', { a: '什么是列表？', b: '怎么排序？' });
    const expected =       '----a---(b|)';
    const modelSubs =     ['^---!', '------^-!'];
    const answers = questions.pipe(
      chatTurns(({ history, question }) => fromRunnable(chatPrompt.pipe(model), { history, question }), { history }),
      filter((event) => event.type === 'done'),
      map((event) => event.text),
    );
    expectObservable(answers).toBe(expected, { a: '列表是有序的 📋', b: '用 sorted()' });
    expectSubscriptions(model.subscriptions).toBe(modelSubs);
  });
  expect(model.transcript(1)).toEqual([
    ['system', '你是专业的Python助手'],
    ['human', '什么是列表？'],
    ['ai', '列表是有序的 📋'],
    ['human', '怎么排序？'],
  ]);
  expect(history.getMessagesSync().map((m) => m.text)).toEqual(['什么是列表？', '列表是有序的 📋', '怎么排序？', '用 sorted()']);
});

// ── Example 4: your own Observable-native test double ──
test('take(1) unsubscribes from the double at the first chunk', () => {
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable, expectSubscriptions }) => {
    const reply = cold('-a-b|', { a: new AIMessageChunk('你'), b: new AIMessageChunk('好') });
    const expected =   '-(a|)';
    const replySubs =  '^!';
    const double: ObservableRunnable<string, AIMessageChunk> & StreamableRunnable<string, AIMessageChunk> = {
      [observeStream]: (): Observable<AIMessageChunk> => reply,
      stream: () => Promise.reject(new Error('declining is not needed here')),
    };
    expectObservable(fromRunnable(double, 'hi').pipe(textContent(), take(1))).toBe(expected, { a: '你' });
    expectSubscriptions(reply.subscriptions).toBe(replySubs);
  });
});

// ── The README shows exactly these examples ──
test('docs/testing.md examples match this file (imports aside)', () => {
  const page = readFileSync(join(__dirname, '../../docs/testing.md'), 'utf8');
  const section = page.slice(page.indexOf('### Marble tests'));
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).slice(0, 4);
  expect(blocks).toHaveLength(4);
  const self = readFileSync(__filename, 'utf8');
  const missing = blocks.flatMap((b) => b.split('\n')).filter((line) => line.trim() && !line.startsWith('import') && !self.includes(line));
  expect(missing).toEqual([]);
});
