/**
 * Bench text: replies of mixed English, Chinese and emoji in 2–5 code-unit chunks (what
 * an OpenAI-compatible server streams), and forbidden-word lists that start like words of
 * the reply (so hold-back and failure links are exercised) but never occur in it.
 */
import { lcg } from './measure';

const rand = lcg(7);
const SYLLABLES = ['py', 'tho', 'n', 'str', 'ea', 'm', 'lan', 'g', 'cha', 'in', 'mo', 'del', 'to', 'ken', 'ch', 'un', 'k'];
const HAN = '流式输出模型语言程序开发数据处理实时检测内容';
const EMOJI = ['🐍', '🚀', '😀', '👍🏽'];
export const VOCABULARY: readonly string[] = Array.from({ length: 400 }, (_, i) => {
  if (i % 5 === 0) return HAN.slice(rand(HAN.length - 2)).slice(0, 2);
  if (i % 41 === 0) return EMOJI[rand(EMOJI.length)];
  let w = '';
  for (let j = 0, n = 1 + rand(3); j < n; j++) w += SYLLABLES[rand(SYLLABLES.length)];
  return i % 7 === 0 ? w[0].toUpperCase() + w.slice(1) : w;
});

export function makeReply(size: number): string {
  let text = '';
  while (text.length < size) text += VOCABULARY[rand(VOCABULARY.length)] + (rand(9) === 0 ? '. ' : rand(13) === 0 ? '，' : ' ');
  return text.slice(0, size);
}

/** Chunks of 2–5 UTF-16 units; never cuts a surrogate pair (servers send whole code points). */
export function chunkText(text: string, min = 2, max = 5): string[] {
  const next = lcg(11);
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + min + next(max - min + 1));
    const c = text.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end++;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** `count` patterns that start like words of `reply` but never occur in it. */
export function makePatterns(count: number, reply: string, seed = 3): string[] {
  const next = lcg(seed);
  const out = new Set<string>();
  while (out.size < count) {
    const p = VOCABULARY[next(VOCABULARY.length)] + ['qx', 'zv', '禁止', 'xj'][next(4)] + SYLLABLES[next(SYLLABLES.length)];
    if (!reply.includes(p) && !reply.toLowerCase().includes(p.toLowerCase())) out.add(p);
  }
  return [...out];
}
