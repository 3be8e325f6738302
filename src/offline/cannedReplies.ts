import { describe } from '../internal/validate';

/**
 * Deterministic replies of the offline model: canned answers for the seed
 * tutorial's questions (Chinese and English) and a generated one otherwise.
 */
export interface CannedReply {
  /** Tested against the last human message, lower-cased, spaces removed. */
  readonly match: RegExp;
  readonly reply: string;
}

export const CANNED_REPLIES: readonly CannedReply[] = [
  {
    match: /(笑话|joke)/,
    reply:
      '好的，来一个 Python 笑话：\n\n' +
      '程序员问 Python：“你为什么总是这么冷静？”\n' +
      'Python 回答：“因为我从不纠结大括号，只在乎缩进。”\n\n' +
      '程序员又问：“那你最怕什么？”\n' +
      'Python 小声说：“IndentationError……还有有人把 Tab 和空格混在一起用。” 🐍😄',
  },
  {
    match: /(故事|story)/,
    reply:
      '从前，有一位叫小林的程序员，他每天最早到公司，最晚离开。\n\n' +
      '有一天深夜，线上系统突然报警：支付接口全部超时。小林盯着日志看了很久，' +
      '发现问题出在一个没有设置超时的网络请求上——它一直在等待一个永远不会到来的响应。\n\n' +
      '他加上了超时和取消逻辑，又写了一个测试，确保请求被取消时连接真的会关闭。' +
      '凌晨三点，系统恢复了平静。\n\n' +
      '第二天早会上，经理问他学到了什么。小林笑着说：“每一个流都要有结束的方式，' +
      '就像每一个故事都要有结局。” 📖',
  },
  {
    match: /(历史|发展|history)/,
    reply:
      'Python 的历史和发展可以分为几个阶段：\n\n' +
      '1. 诞生（1989–1991）：1989 年圣诞节期间，荷兰程序员 Guido van Rossum 为了打发时间，' +
      '开始设计一门新的脚本语言。他希望它既有 ABC 语言的易读性，又能访问系统调用。' +
      '1991 年，Python 0.9.0 在 alt.sources 上发布，已经具备类、异常处理、函数和核心数据类型。\n\n' +
      '2. 成长（1994–2000）：Python 1.0 于 1994 年发布，加入了 lambda、map、filter 等函数式工具。' +
      '2000 年的 Python 2.0 带来了列表推导式、垃圾回收和 Unicode 支持，社区开发模式也逐渐成形。\n\n' +
      '3. 转折（2008–2020）：Python 3.0 于 2008 年发布，它不向后兼容，修正了许多早期设计问题，' +
      '例如 print 变成函数、字符串默认使用 Unicode。迁移持续了十多年，Python 2 最终在 2020 年 1 月 1 日停止维护。\n\n' +
      '4. 繁荣（2010 年至今）：NumPy、pandas、Django、Flask 以及后来的 TensorFlow 和 PyTorch，' +
      '让 Python 成为数据科学、人工智能和 Web 开发的主流语言。asyncio、类型注解和模式匹配等特性不断加入。\n\n' +
      '5. 近况：近几个版本持续提升性能，例如更快的解释器、更好的错误提示，以及可选的无 GIL 构建。' +
      '如今 Python 长期位居各大编程语言排行榜前列。\n\n' +
      '总结：Python 从一个圣诞假期的业余项目，成长为全球最受欢迎的编程语言之一，' +
      '它的成功来自简洁的语法、丰富的生态和开放的社区。🐍',
  },
  {
    match: /(场景|适合|usecase|usedfor|scenario)/,
    reply:
      'Python 适合的场景非常多：\n\n' +
      '- 数据分析与科学计算：NumPy、pandas、Jupyter。\n' +
      '- 人工智能与机器学习：PyTorch、TensorFlow、scikit-learn，以及 LangChain 这样的 LLM 应用框架。\n' +
      '- Web 后端：Django、Flask、FastAPI。\n' +
      '- 自动化脚本与运维：批量处理文件、调用 API、定时任务。\n' +
      '- 教学与原型开发：语法简单，适合快速验证想法。\n\n' +
      '不太适合的场景：对延迟极其敏感的系统程序、移动端原生应用，这些通常会选择 C++、Rust 或 Swift。',
  },
  {
    match: /(介绍一下python|介绍python|introducepython|aboutpython)/,
    reply:
      'Python 是一种高级、通用的解释型编程语言，由 Guido van Rossum 在 1991 年发布。\n\n' +
      '它的设计哲学强调代码的可读性，用缩进而不是大括号来划分代码块。' +
      '和 Java 相比，Python 不需要声明变量类型，代码通常更短；和 C 相比，它自动管理内存。\n\n' +
      'Python 拥有庞大的标准库和第三方生态，广泛用于 Web 开发、数据分析、人工智能和自动化。' +
      '它是许多人学习编程的第一门语言。',
  },
  {
    match: /(特点|特性|features|characteristics)/,
    reply:
      'Python 的主要特点有：\n\n' +
      '1. 语法简洁易读：用缩进表示代码块，代码接近自然语言。\n' +
      '2. 动态类型：变量无需声明类型，同时支持可选的类型注解。\n' +
      '3. 解释执行：无需编译，写完即可运行，方便交互式开发。\n' +
      '4. 丰富的生态：标准库“自带电池”，PyPI 上有数十万个第三方包。\n' +
      '5. 多范式：支持面向对象、函数式和过程式编程。\n' +
      '6. 跨平台：同一份代码可以在 Windows、macOS 和 Linux 上运行。\n\n' +
      '不足之处是执行速度比编译型语言慢，但可以通过 C 扩展、Cython 或 PyPy 来弥补。',
  },
  {
    match: /(什么是python|whatispython)/,
    reply:
      'Python 是一门简洁易读的通用编程语言，由 Guido van Rossum 创建，' +
      '广泛用于 Web 开发、数据分析、人工智能和自动化脚本。它以缩进表示代码块，生态非常丰富。',
  },
  {
    match: /(什么是javascript|whatisjavascript)/,
    reply:
      'JavaScript 是 Web 的编程语言，最初由 Brendan Eich 在 1995 年用十天设计出来。' +
      '它运行在浏览器中，也通过 Node.js 运行在服务器上，支持事件驱动和异步编程。',
  },
  {
    match: /(什么是rust|whatisrust)/,
    reply:
      'Rust 是一门注重安全和性能的系统编程语言，最初由 Mozilla 支持开发。' +
      '它通过所有权和借用检查在编译期保证内存安全，没有垃圾回收，适合编写操作系统、浏览器引擎和高性能服务。',
  },
  {
    match: /^(你好|您好|hello|hi|hey)[!！。.,，]*$/,
    reply: '你好！我是离线示例模型，可以回答关于 Python 和流式输出的问题。有什么可以帮你的吗？😊',
  },
];

const ZH_POOL = [
  '这是一个很好的问题。',
  '从流式输出的角度看，模型会一边生成一边返回内容，用户不必等到整段回答结束。',
  '在 RxJS 中，每一次订阅都会发起一次新的请求，取消订阅就会中止它。',
  '我们可以把收集、过滤、进度显示这些行为写成可组合的操作符。',
  '需要注意的是，完整的回答应该由所有分块合并而成，而不是只保存最后一块。',
  '另外，按字符阈值显示进度，比用取模判断更可靠。',
  '最后，别忘了处理错误和超时，让用户知道发生了什么。',
];
const EN_POOL = [
  'That is a good question.',
  'When a model streams, it sends its answer piece by piece, so the reader does not wait for the whole reply.',
  'With RxJS, each subscription starts a new request, and unsubscribing aborts it.',
  'Collecting, filtering and progress reporting become small operators you can compose.',
  'Keep in mind that the full answer is the merge of every chunk, not the last chunk alone.',
  'Progress shown at thresholds is more reliable than a modulo check on a counter.',
  'Finally, handle errors and timeouts so the user always knows what happened.',
];

const HAS_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** FNV-1a, so a question always gets the same generated reply. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The offline model's reply to `question`: canned if it matches, else generated deterministically. */
export function replyTo(question: string): string {
  if (typeof question !== 'string') throw new TypeError(`replyTo: question must be a string, got ${describe(question)}.`);
  const key = question.toLowerCase().replace(/\s+/g, '');
  for (const { match, reply } of CANNED_REPLIES) if (match.test(key)) return reply;
  const zh = HAS_CJK.test(question) || question.trim() === '';
  const pool = zh ? ZH_POOL : EN_POOL;
  const h = hash(question);
  const quoted = question.trim().slice(0, 60);
  const opening = zh ? `关于“${quoted}”：` : `About "${quoted}": `;
  // Four of the six sentences after the first, each at most once and in the pool's order
  // (picking by index with replacement said a sentence twice): leave out two by the hash.
  const rest = pool.length - 1;
  const skipA = h % rest;
  const skipB = (skipA + 1 + ((h >>> 8) % (rest - 1))) % rest;
  const picks = [pool[0], ...pool.slice(1).filter((_, i) => i !== skipA && i !== skipB)];
  return opening + picks.join(zh ? '' : ' ');
}
