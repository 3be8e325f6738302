import type { BaseMessage } from '@langchain/core/messages';
import { textOf } from '../decode/text';
import { arithmeticIn, arithmeticReply } from './arithmeticScript';

/** A reply of the offline model: text, reasoning and tool calls (streamed in that order). */
export interface ScriptedReply {
  /** The answer text. */
  readonly text?: string;
  /** Reasoning streamed before the text, as `additional_kwargs.reasoning_content` (DeepSeek-style). */
  readonly reasoning?: string;
  /** Tool calls, streamed OpenAI-style: id and name first, then the JSON arguments in fragments. */
  readonly toolCalls?: ReadonlyArray<{ readonly name: string; readonly args: Record<string, unknown>; readonly id?: string }>;
}

/** Release dates of Python versions (what the offline `python_release` tool knows). */
export const PYTHON_RELEASES: Readonly<Record<string, string>> = {
  '0.9': '1991-02-20',
  '1.0': '1994-01-26',
  '2.0': '2000-10-16',
  '2.7': '2010-07-03',
  '3.0': '2008-12-03',
  '3.5': '2015-09-13',
  '3.6': '2016-12-23',
  '3.7': '2018-06-27',
  '3.8': '2019-10-14',
  '3.9': '2020-10-05',
  '3.10': '2021-10-04',
  '3.11': '2022-10-24',
  '3.12': '2023-10-02',
  '3.13': '2024-10-07',
};

interface ToolResult {
  readonly name: string;
  readonly content: string;
  readonly isError: boolean;
}

/**
 * What the offline model answers when the offline tools (`add`, `python_release`) are
 * bound: arithmetic with `add`, and the seed's kind of question about Python releases, in steps as a hosted model
 * would take them. Step 1 looks up every version the question names (parallel calls);
 * step 2 adds when the question asks for "N years later" (`再过 N 年`, `N 年后`, `N years
 * after`) or the gap between two versions (`相隔`, `差`, `apart`); the last step answers
 * from the tool results. An addition or subtraction (`123 加 456 等于多少？`, `What is 12
 * plus 30?`) is one `add` call, then the answer. Undefined for any other question.
 */
export function agentReplyTo(messages: readonly BaseMessage[], tools: readonly string[]): ScriptedReply | undefined {
  if (!tools.includes('python_release') && !tools.includes('add')) return undefined;
  let human = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].getType() === 'human') {
      human = i;
      break;
    }
  }
  if (human < 0) return undefined;
  const question = textOf(messages[human], 'ScriptedChatModel');
  const results: ToolResult[] = messages.slice(human + 1).flatMap((m) =>
    m.getType() === 'tool'
      ? [{ name: String((m as { name?: unknown }).name ?? ''), content: textOf(m, 'ScriptedChatModel'), isError: (m as { status?: unknown }).status === 'error' }]
      : [],
  );
  const rejected = rejectionOf(results);
  if (rejected !== undefined) return { text: `好的，没有执行：${rejected} 🙅` };
  // `2.5 + 0.25` is a sum, not two Python versions: a question that names Python is about versions.
  const arithmetic = tools.includes('add') && !/python/i.test(question) ? arithmeticIn(question) : undefined;
  if (arithmetic) return arithmeticReply(arithmetic, results.find((r) => r.name === 'add'));
  if (!tools.includes('python_release')) return undefined;
  const versions = [...new Set([...question.matchAll(/(?<![\d.])(\d+\.\d+)(?![\d.])/g)].map((m) => m[1]))];
  if (versions.length === 0) return undefined;
  const releases = new Map<string, string>();
  for (const r of results) {
    if (r.name !== 'python_release' || r.isError) continue;
    try {
      const { version, released } = JSON.parse(r.content) as { version: string; released: string };
      releases.set(version, released);
    } catch {
      // not ours
    }
  }
  const sum = results.find((r) => r.name === 'add' && !r.isError)?.content;
  const later = /再过\s*(\d+)\s*年|(\d+)\s*年(?:后|之后|以后)|(\d+)\s+years?\s+(?:after|later)/i.exec(question);
  const plusYears = later ? Number(later[1] ?? later[2] ?? later[3]) : undefined;
  const gap = versions.length === 2 && /相隔|相差|差|隔了|apart|between/i.test(question);
  const canAdd = tools.includes('add');

  if (results.filter((r) => r.name === 'python_release').length === 0) {
    return {
      reasoning: `要回答这个问题，先查 Python ${versions.join('、')} 的发布日期${plusYears !== undefined || gap ? '，再用 add 计算' : ''}。`,
      toolCalls: versions.map((version) => ({ name: 'python_release', args: { version } })),
    };
  }
  const yearOf = (v: string): number | undefined => (releases.has(v) ? Number(releases.get(v)!.slice(0, 4)) : undefined);
  if (canAdd && sum === undefined) {
    if (plusYears !== undefined && yearOf(versions[0]) !== undefined) {
      return { toolCalls: [{ name: 'add', args: { a: yearOf(versions[0])!, b: plusYears } }] };
    }
    if (gap && yearOf(versions[0]) !== undefined && yearOf(versions[1]) !== undefined) {
      const [a, b] = [yearOf(versions[0])!, yearOf(versions[1])!].sort((x, y) => y - x);
      return { toolCalls: [{ name: 'add', args: { a, b: -b } }] };
    }
  }
  const facts = versions.map((v) => (releases.has(v) ? `Python ${v} 于 ${formatDate(releases.get(v)!)}发布` : `没有查到 Python ${v} 的发布日期`));
  let text = `${facts.join('，')}。`;
  if (sum !== undefined && plusYears !== undefined) text += `${yearOf(versions[0])} + ${plusYears} = ${sum}，所以再过 ${plusYears} 年是 ${sum} 年。`;
  else if (sum !== undefined && gap) text += `两个版本相隔 ${sum} 年。`;
  return { text: `${text} 🐍` };
}

function formatDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y} 年 ${m} 月 ${d} 日`;
}

/**
 * A person rejected a tool call (`humanInTheLoopMiddleware`: an error result saying so, in the
 * middleware's words, the CLI's and the web page's `用户拒绝了 …`, or the AI SDK wire's denial with
 * a reason, `The user denied this tool call: <reason>`): the offline agent says so (the reason
 * itself when there is one) instead of carrying on.
 */
function rejectionOf(results: readonly ToolResult[]): string | undefined {
  const denied = /^The user denied this tool call:\s*/;
  const rejected = results.find((r) => r.isError && (/^(?:User rejected the tool call|用户拒绝了)/.test(r.content) || denied.test(r.content)));
  return rejected?.content.replace(denied, '');
}
