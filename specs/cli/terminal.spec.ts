import { EventEmitter } from 'node:events';
import {
  createColors,
  createLanes,
  createStatusLine,
  createPromptOutput,
  displayWidth,
  fitToWidth,
  safeText,
  stripAnsi,
  supportsColor,
  type TerminalOutput,
} from '../../src/cli/terminal';

/** A recording stream; `isTTY` decides whether the helpers may write escapes. */
function sink(isTTY: boolean, columns = 40, rows = 10): TerminalOutput & { data: string } {
  const s = { data: '', isTTY, columns, rows, write(chunk: string) { s.data += chunk; return true; } };
  return s;
}

const hasEscape = (s: string): boolean => s.includes('\x1b');

describe('supportsColor / createColors', () => {
  it('allows colour only on a TTY with NO_COLOR unset or empty', () => {
    expect(supportsColor(sink(true), {})).toBe(true);
    expect(supportsColor(sink(true), { NO_COLOR: '1' })).toBe(false);
    expect(supportsColor(sink(true), { NO_COLOR: '' })).toBe(true);
    expect(supportsColor(sink(false), {})).toBe(false);
  });

  it('wraps text in SGR sequences when enabled and returns it unchanged otherwise', () => {
    const on = createColors(true);
    const off = createColors(false);
    expect(on.green('好')).toBe('\x1b[32m好\x1b[39m');
    expect(stripAnsi(on.bold(on.cyan('AI')))).toBe('AI');
    expect(off.green('好')).toBe('好');
    expect(off.enabled).toBe(false);
  });

  it('rejects bad arguments with a message that says what to fix', () => {
    expect(() => createColors('yes' as unknown as boolean)).toThrow(/enabled must be a boolean/);
    expect(() => supportsColor({} as TerminalOutput)).toThrow(TypeError);
  });
});

describe('displayWidth / fitToWidth', () => {
  it('counts CJK and emoji as two columns, combining marks as zero, ignores escapes', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('你好')).toBe(4);
    expect(displayWidth('🐍')).toBe(2);
    expect(displayWidth('👨‍👩‍👧')).toBe(2);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('\x1b[32m你好\x1b[39m')).toBe(4);
    expect(displayWidth('Python 很好 🐍')).toBe(14);
  });

  it('cuts between graphemes from the start or the end and adds an ellipsis', () => {
    expect(fitToWidth('详细介绍Python的历史', 10)).toBe('详细介绍P…');
    expect(fitToWidth('详细介绍Python的历史', 10, { from: 'end' })).toBe('…hon的历史');
    expect(fitToWidth('short', 10)).toBe('short');
    // never splits an emoji (surrogate pair / ZWJ sequence)
    const cut = fitToWidth('ab👨‍👩‍👧cd', 4);
    expect(cut).toBe('ab…');
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut)).toBe(false); // no lone high surrogate
    expect(displayWidth(fitToWidth('你好世界你好世界', 7))).toBeLessThanOrEqual(7);
  });

  it('reads only the window it keeps: the end of a 1 MB text, text full of zero-width marks, emoji at the window edge', () => {
    const long = '开头'.repeat(250_000) + '结尾 🐍 end';
    expect(fitToWidth(long, 12, { from: 'end' })).toBe('…结尾 🐍 end');
    expect(fitToWidth(long, 5)).toBe('开头…');
    const marks = 'a' + '\u200b'.repeat(5_000) + 'bcdef';
    expect(fitToWidth(marks, 3)).toBe('a' + '\u200b'.repeat(5_000) + 'b…');
    const family = '👨‍👩‍👧'.repeat(200);
    const tail = fitToWidth(family, 9, { from: 'end' });
    expect(tail).toBe('…' + '👨‍👩‍👧'.repeat(4));
    expect(fitToWidth('短', 10, { from: 'end' })).toBe('短');
  });

  it('rejects a negative width', () => {
    expect(() => fitToWidth('x', -1)).toThrow(RangeError);
  });
});

describe('safeText', () => {
  const attacks: Array<[string, string, string]> = [
    ['clear screen', 'a\x1b[2Jb', 'a␛[2Jb'],
    ['window title', '\x1b]0;pwned\x07', '␛]0;pwned␇'],
    ['clipboard write', '\x1b]52;c;cm0gLXJmIH4=\x07', '␛]52;c;cm0gLXJmIH4=␇'],
    ['hyperlink', '\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\', '␛]8;;http://evil.example␛\\click␛]8;;␛\\'],
    ['8-bit CSI (C1)', 'x\u009b2Jy', 'x\ufffd2Jy'],
    ['DEL and BEL', 'a\x7fb\x07', 'a␡b␇'],
    ['carriage return', 'line\r\nfake prompt$ \roverwrite', 'line\nfake prompt$ overwrite'],
    // Bidi controls reorder what is shown (Trojan Source, CVE-2021-42574): removed, like \r.
    ['right-to-left override', 'rm -rf /\u202e"txt.exe', 'rm -rf /"txt.exe'],
    ['every bidi embedding, override, isolate and mark', 'a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j\u200ek\u200fl\u061cm', 'abcdefghijklm'],
  ];
  it.each(attacks)('neutralizes %s', (_name, input, shown) => {
    const out = safeText(input);
    expect(out).toBe(shown);
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  });

  it('keeps \\n, \\t, Chinese and emoji; works on each chunk alone (a sequence split across chunks)', () => {
    expect(safeText('你好\t🐍\n世界')).toBe('你好\t🐍\n世界');
    expect(safeText('\x1b') + safeText(']0;title\x07')).toBe(safeText('\x1b]0;title\x07'));
    expect(() => safeText(1 as never)).toThrow(TypeError);
  });
});

describe('createStatusLine', () => {
  it('writes nothing at all when the output is not a TTY', () => {
    const out = sink(false);
    const status = createStatusLine(out);
    status.update('12 字');
    status.close();
    expect(status.enabled).toBe(false);
    expect(out.data).toBe('');
  });

  it('reserves the bottom row on a TTY, draws there, and restores the scroll region on close', () => {
    const out = sink(true, 20, 10);
    const status = createStatusLine(out);
    expect(out.data).toContain('\x1b[1;9r'); // scrolling region: every row but the last
    // Room is made with IND + RI, which keep the column: text before the cursor ("AI: ") stays.
    expect(out.data.startsWith('\x1bD\x1bM')).toBe(true);
    expect(out.data).not.toMatch(/[\r\n]/);
    out.data = '';
    status.update('详细介绍Python的历史和发展 123 字');
    expect(out.data.startsWith('\x1b7\x1b[10;1H\x1b[2K')).toBe(true);
    expect(out.data.endsWith('\x1b8')).toBe(true);
    expect(displayWidth(stripAnsi(out.data))).toBeLessThanOrEqual(19);
    out.data = '';
    status.close();
    expect(out.data).toContain('\x1b[r');
    status.close();
    status.update('after close');
    expect(out.data.match(/\x1b\[r/g)).toHaveLength(1);
  });
});

describe('createStatusLine on a resized terminal', () => {
  const resizable = (columns: number, rows: number) => {
    const emitter = new EventEmitter();
    const out = Object.assign(emitter, sink(true, columns, rows));
    out.write = (chunk: string) => ((out.data += chunk), true);
    return out;
  };

  it.each([
    ['fewer rows', 40, 10, 40, 6],
    ['more rows', 40, 10, 40, 16],
    ['narrower', 60, 10, 24, 10],
  ])('%s: erases below the cursor (never a row by its old number), reserves the new bottom row, draws at the new width', (_name, c0, r0, c1, r1) => {
    const out = resizable(c0, r0);
    const status = createStatusLine(out);
    status.update('一二三四五六七八九十 一二三四五六七八九十 123 字');
    out.data = '';
    out.columns = c1;
    out.rows = r1;
    out.emit('resize');
    expect(out.data.startsWith('\x1b[J')).toBe(true); // only what is below the cursor: the status row, or nothing
    if (r1 !== r0) expect(out.data).not.toContain(`\x1b[${r0};1H`);
    expect(out.data).toContain(`\x1b[1;${r1 - 1}r`);
    const draw = /\x1b7\x1b\[(\d+);1H\x1b\[2K([^\x1b]*)\x1b8$/.exec(out.data)!;
    expect(Number(draw[1])).toBe(r1);
    expect(displayWidth(draw[2])).toBeLessThanOrEqual(c1 - 1);
    status.close();
    expect(out.listenerCount('resize')).toBe(0);
  });
});

describe('createPromptOutput', () => {
  it('passes resize on to readline only while the prompt is shown; size and writes go through', () => {
    const emitter = new EventEmitter();
    const out = Object.assign(emitter, sink(true, 50, 12));
    out.write = (chunk: string) => ((out.data += chunk), true);
    const gated = createPromptOutput(out as never);
    const heard: number[] = [];
    gated.stream.on('resize', () => heard.push(gated.stream.columns!));
    out.emit('resize'); // a reply is streaming: readline must not redraw its prompt into it
    gated.setPromptShown(true);
    out.columns = 70;
    out.emit('resize');
    gated.setPromptShown(false);
    out.emit('resize');
    expect(heard).toEqual([70]);
    gated.stream.write('你: ');
    expect(out.data).toBe('你: ');
    expect([gated.stream.isTTY, gated.stream.rows]).toEqual([true, 12]);
    gated.close();
    expect(out.listenerCount('resize')).toBe(0);
  });
});

describe('createLanes', () => {
  it('prints whole labelled lines when piped, never mixing lanes within a line', () => {
    const out = sink(false);
    const lanes = createLanes(out, ['[回答1]', '[回答2]']);
    expect(lanes.mode).toBe('lines');
    lanes.append(0, 'Python 是');
    lanes.append(1, 'Rust 是');
    lanes.append(0, '一门语言。\n第二');
    lanes.append(1, '系统语言。');
    lanes.finish(1, '(done)');
    lanes.append(0, '行');
    lanes.close();
    expect(hasEscape(out.data)).toBe(false);
    expect(out.data.split('\n').filter(Boolean)).toEqual([
      '[回答1] Python 是一门语言。',
      '[回答2] Rust 是系统语言。',
      '[回答2] (done)',
      '[回答1] 第二行',
    ]);
    expect(lanes.text(0)).toBe('Python 是一门语言。\n第二行');
  });

  it('redraws one line per lane in place on a TTY, showing the latest text', () => {
    const out = sink(true, 30);
    const lanes = createLanes(out, ['A', 'BB']);
    expect(lanes.mode).toBe('redraw');
    out.data = '';
    lanes.append(1, '很长很长很长很长很长很长很长很长的回答结尾');
    expect(out.data.startsWith('\x1b[2A')).toBe(true); // cursor up over both lanes
    const lines = stripAnsi(out.data).split('\n').filter(Boolean).map((l) => l.replace(/^\r/, ''));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('A  │ ');
    expect(lines[1].endsWith('回答结尾')).toBe(true);
    expect(displayWidth(lines[1])).toBeLessThanOrEqual(29);
  });

  it('a model cannot drive the terminal through a lane or the status line', () => {
    for (const tty of [false, true]) {
      const out = sink(tty, 60);
      const lanes = createLanes(out, ['[1]']);
      lanes.append(0, '标题\x1b]0;pwned\x07 \x1b[2J\u009b31m');
      lanes.finish(0);
      const status = createStatusLine(out);
      status.update('\x1b]52;c;eA==\x07 12 字');
      status.close();
      expect(out.data).not.toMatch(/\x1b\]|\x07|\x1b\[2J|\u009b/);
      expect(out.data).toContain('␛]0;pwned␇');
    }
  });

  it('checks the lane index', () => {
    const lanes = createLanes(sink(false), ['a']);
    expect(() => lanes.append(1, 'x')).toThrow(/index must be an integer from 0 to 0/);
    expect(() => createLanes(sink(false), [])).toThrow(TypeError);
  });
});
