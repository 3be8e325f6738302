// The decode boundary (issue 26, decisions 0153 and 0355): what a provider or LangGraph sends is
// recognised in src/decode/ alone, and every decoder lives there: the stateless recognisers at its
// top, the stateful per-shape assembly in src/decode/assembly/. Provider finish keys, tool-call block
// types and LangGraph tuple detection exist once; `internal/` imports nothing from a feature folder;
// every decoder file stays short.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { graphMessage, graphTuple } from '../../src/decode/graphTuples';
import { FINISH_KEYS, finishReasonOf, hasFinishMarker } from '../../src/decode/finishReason';
import { isModelStreamEvent } from '../../src/decode/modelEvents';

const SRC = join(__dirname, '../../src');

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (name.endsWith('.ts')) yield path;
  }
}
const files = [...sources(SRC)].map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));
/** Files that spell `pattern` in code (comments stripped). */
const spelling = (pattern: RegExp): string[] =>
  files.filter((f) => pattern.test(f.text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''))).map((f) => f.path).sort();

describe('the decode boundary', () => {
  it('lists the provider finish keys once', () => {
    expect(spelling(/['"]done_reason['"]/)).toEqual(['decode/finishReason.ts']);
  });

  it('lists the tool-call block types once', () => {
    expect(spelling(/['"]server_tool_call_chunk['"]/)).toEqual(['decode/toolBlocks.ts']);
  });

  it('detects LangGraph tuples once', () => {
    expect(spelling(/STREAM_MODES\.has\(/)).toEqual(['decode/graphTuples.ts']);
  });

  it('internal/ imports nothing from a feature folder', () => {
    const internal = files.filter((f) => f.path.startsWith('internal/'));
    const outward = internal.flatMap((f) => [...f.text.matchAll(/from '(\.\.\/[^']+)'/g)].map((m) => `${f.path} → ${m[1]}`));
    expect(outward).toEqual([]);
  });

  it('keeps every decoder file at most 250 lines', () => {
    const long = files.filter((f) => f.path.startsWith('decode/') && f.text.split('\n').length > 250).map((f) => f.path);
    expect(long).toEqual([]);
  });

  it('has one decoder file per input shape under decode/assembly/, the assembler only dispatching to them', () => {
    const assembly = files.filter((f) => f.path.startsWith('decode/assembly/')).map((f) => f.path).sort();
    expect(assembly).toEqual(
      ['contentBlocks', 'graph', 'interrupts', 'messages', 'parts', 'shapes', 'steps', 'strings', 'toolCalls'].map((name) => `decode/assembly/${name}.ts`),
    );
    const assembler = files.find((f) => f.path === 'decode/assemble.ts')!.text;
    expect(assembler).not.toMatch(/sink\.next\(/);
  });

  it('keeps the stateless recognisers free of the assembly (textOf and hasContent stay small in a browser bundle)', () => {
    const top = files.filter((f) => /^decode\/[^/]+\.ts$/.test(f.path) && f.path !== 'decode/assemble.ts');
    const inward = top.flatMap((f) => [...f.text.matchAll(/from '(\.\/(?:assembly|assemble)[^']*)'/g)].map((m) => `${f.path} → ${m[1]}`));
    expect(inward).toEqual([]);
  });

  it('defines every decoder under decode/ (decision 0355); wire codecs of our own formats stay beside their encoders', () => {
    // A decoder: the assembler, a `…Decoder` class, or a `decode…` function.
    const defines = spelling(/\bclass \w*(?:Decoder|Assembler)\b|\bfunction decode[A-Z]\w*/);
    const outside = defines.filter((path) => !path.startsWith('decode/'));
    expect(outside).toEqual([
      'node/redis/entryCodec.ts', // our Redis stream entries (decodeEntry), beside encodeEntry
      'node/redis/frameCodec.ts', // our stored SSE frames (decodeFrame), beside encodeFrame
      'sources/fromServerSentEvents.ts', // the JSON of an SSE `data:` line (decodeJson), not a model's shape
      'web/decodeUIMessageStream.ts', // the AI SDK's UI message stream, the wire toUIMessageStream encodes
    ]);
    expect(defines).toEqual(expect.arrayContaining(['decode/assemble.ts', 'decode/assembly/interrupts.ts', 'decode/assembly/messages.ts']));
    expect(existsSync(join(SRC, 'parts/assembly'))).toBe(false);
    expect(files.filter((f) => /^parts\/(assemble|interrupts)\.ts$/.test(f.path))).toEqual([]);
  });

  it('recognises input shapes nowhere outside decode/', () => {
    // What recognising a model's, a provider's or LangGraph's shape looks like in code. Reading
    // `__interrupt__` is allowed where a value is built (testing) and in the agent protocol's
    // server, which re-frames LangGraph's own protocol events instead of decoding them to parts.
    const markers: ReadonlyArray<[string, RegExp]> = [
      ['a list of input shapes asked', /\b(?:MODEL_STREAM_EVENTS|STREAM_MODES|PART_TYPES|TOOL_BLOCK_TYPES)\.has\(/],
      ['a content-block event told apart', /(?:===|!==|case) '(?:content-block-(?:start|delta|finish)|message-(?:start|finish))'/],
      ['a serialized LangChain object told apart', /lc_serializable/],
      ['a provider finish key read', /\.(?:stop_reason|done_reason)\b/],
    ];
    for (const [what, marker] of markers) expect({ what, files: spelling(marker).filter((path) => !path.startsWith('decode/')) }).toEqual({ what, files: [] });
  });
});

describe('finish markers', () => {
  it('reads each provider’s key, and only a real marker', () => {
    expect(FINISH_KEYS).toEqual(['finish_reason', 'stop_reason', 'done_reason', 'finishReason']);
    expect([{ finish_reason: 'stop' }, { stop_reason: 'end_turn' }, { done_reason: 'stop' }, { finishReason: 'STOP' }].map(finishReasonOf)).toEqual([
      'stop', 'end_turn', 'stop', 'STOP',
    ]);
    expect([{ finish_reason: '' }, { finish_reason: null }, { stop_reason: false }, {}, undefined, 'stop'].map(hasFinishMarker)).toEqual([
      false, false, false, false, false, false,
    ]);
    expect(hasFinishMarker({ finishReason: 1 })).toBe(true);
  });
});

describe('LangGraph tuples', () => {
  const ai = { type: 'ai', content: '你好 🌏' };
  const tool = { type: 'tool', content: 'result' };
  it('recognises the four shapes and tells their namespace and mode', () => {
    expect(graphTuple([ai, { langgraph_node: 'model' }])).toEqual({ namespace: undefined, mode: 'messages', data: [ai, { langgraph_node: 'model' }] });
    expect(graphTuple(['updates', { model: {} }])).toEqual({ namespace: undefined, mode: 'updates', data: { model: {} } });
    expect(graphTuple([['sub:1'], 'custom', 42])).toEqual({ namespace: ['sub:1'], mode: 'custom', data: 42 });
    expect(graphTuple([[], 'custom', 42])).toEqual({ namespace: undefined, mode: 'custom', data: 42 });
    expect(graphTuple([['sub:1'], [ai, {}]])).toEqual({ namespace: ['sub:1'], mode: 'messages', data: [ai, {}] });
    expect(graphTuple(['not a mode', 1])).toBeUndefined();
    expect(graphTuple([1, 2, 3])).toBeUndefined();
  });

  it('finds the model message: null for other modes and other speakers, undefined for no tuple', () => {
    expect(graphMessage([ai, {}])).toBe(ai);
    expect(graphMessage(['messages', [ai, {}]])).toBe(ai);
    expect(graphMessage([tool, {}])).toBeNull();
    expect(graphMessage(['values', { messages: [] }])).toBeNull();
    expect(graphMessage(['messages', 'nonsense'])).toBeUndefined();
    expect(graphMessage(['a', 'b', 'c'])).toBeUndefined();
  });
});

describe('content-block events', () => {
  it('tells the events of streamEvents() without version from v1/v2 events, parts and messages', () => {
    const delta = { event: 'content-block-delta', index: 0, delta: { type: 'text-delta', text: '你好 🌏' } };
    expect([delta, { event: 'message-finish', reason: 'stop' }, { event: 'error', message: 'x' }].map(isModelStreamEvent)).toEqual([true, true, true]);
    expect([{ event: 'on_chat_model_stream', data: {} }, { type: 'text', text: 'hi' }, { content: 'hi' }, ['messages', delta], null, 'content-block-delta'].map(isModelStreamEvent)).toEqual([
      false, false, false, false, false, false,
    ]);
  });
});
