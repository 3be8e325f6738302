import {
  AIMessagePromptTemplate,
  ChatMessagePromptTemplate,
  ChatPromptTemplate,
  HumanMessagePromptTemplate,
  ImagePromptTemplate,
  MessagesPlaceholder,
  PromptTemplate,
  SystemMessagePromptTemplate,
  renderTemplate,
} from '@langchain/core/prompts';
import {
  BaseMessage,
  ChatMessage,
  HumanMessage,
  coerceMessageLikeToMessage,
  type MessageContent,
} from '@langchain/core/messages';
import { StringOutputParser } from '@langchain/core/output_parsers';

/**
 * Synchronous formatting of LangChain prompt templates, so a `prompt.pipe(model)`
 * chain can run inside `TestScheduler.run` (whose flush is synchronous and never
 * sees a promise settle). LangChain's `format*` methods are async only because
 * partial variables may be functions; the rendering underneath (`renderTemplate`)
 * is synchronous. We replicate the exact classes we know — checked by prototype,
 * so a subclass that overrides formatting is never mis-formatted — and decline
 * everything else (decision 0030). Specs compare the result with LangChain's own
 * async formatting.
 */

/** Why `step` cannot be formatted synchronously, or `undefined` when it can. */
export function whyNotSyncPrompt(step: unknown): string | undefined {
  if (isExactly(step, PromptTemplate)) return whyNotStringPrompt(step);
  if (!isExactly(step, ChatPromptTemplate)) return `${nameOf(step)} is not a ChatPromptTemplate or PromptTemplate`;
  const partials = whyNotPartials(step.partialVariables);
  if (partials) return partials;
  for (const message of step.promptMessages) {
    const reason = whyNotMessageTemplate(message);
    if (reason) return reason;
  }
  return undefined;
}

/** Why `step` (after the model) cannot be applied synchronously, or `undefined`. */
export function whyNotSyncParser(step: unknown): string | undefined {
  return isExactly(step, StringOutputParser) ? undefined : `${nameOf(step)} after the model is not a StringOutputParser`;
}

/**
 * Applies a StringOutputParser to one streamed chunk, as its transform does: string content as
 * it is; of array content the text parts, nothing for reasoning, and LangChain's error for any
 * other part. Read from the message's public fields (the parser's own method is underscore-private);
 * specs/testing/marblePrompt.spec.ts compares it with `parser.invoke`.
 */
export function parseStringSync(_parser: unknown, value: unknown): string {
  if (typeof value === 'string') return value;
  const content = (value as BaseMessage).content;
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content as ReadonlyArray<{ type: string; text?: unknown }>) text += partText(part);
  return text;
}

function partText(part: { type: string; text?: unknown }): string {
  switch (part.type) {
    case 'text':
    case 'text_delta':
      if ('text' in part) return part.text as string;
      break;
    case 'image_url':
      if ('image_url' in part) throw new Error('Cannot coerce a multimodal "image_url" message part into a string.');
      break;
    case 'reasoning':
    case 'thinking':
    case 'redacted_thinking':
      return '';
    default:
      throw new Error(`Cannot coerce "${part.type}" message part into a string.`);
  }
  throw new Error(`Invalid content type: ${part.type}`);
}

/**
 * What the prompt step yields for `input`, as messages (a `PromptTemplate`'s
 * string becomes one human message, as a chat model would read it). Throws the
 * errors LangChain throws for a missing variable or a bad placeholder value.
 * Call only when {@link whyNotSyncPrompt} returned `undefined`.
 */
export function formatPromptSync(step: unknown, input: unknown): BaseMessage[] {
  const values = asValues(input);
  if (isExactly(step, PromptTemplate)) return [new HumanMessage(formatStringSync(step, values))];
  const prompt = step as ChatPromptTemplate;
  const all = { ...stringPartials(prompt.partialVariables), ...values };
  const out: BaseMessage[] = [];
  for (const message of prompt.promptMessages) {
    if (message instanceof BaseMessage) {
      out.push(message);
      continue;
    }
    let inputValues: Record<string, unknown>;
    if (prompt.templateFormat === 'mustache') inputValues = { ...all };
    else {
      inputValues = {};
      for (const name of message.inputVariables) {
        if (!(name in all) && !(isExactly(message, MessagesPlaceholder) && message.optional)) {
          const error = new Error(`Missing value for input variable \`${String(name)}\``) as Error & { lc_error_code?: string };
          error.lc_error_code = 'INVALID_PROMPT_INPUT';
          throw error;
        }
        inputValues[name] = all[name];
      }
    }
    out.push(...formatMessageTemplateSync(message, inputValues));
  }
  return out;
}

function formatMessageTemplateSync(message: unknown, values: Record<string, unknown>): BaseMessage[] {
  if (isExactly(message, MessagesPlaceholder)) {
    const input = values[message.variableName];
    if (message.optional && !input) return [];
    if (!input) {
      const error = new Error(
        `Field "${message.variableName}" in prompt uses a MessagesPlaceholder, which expects an array of BaseMessages as an input value. Received: undefined`,
      );
      error.name = 'InputFormatError';
      throw error;
    }
    return (Array.isArray(input) ? input : [input]).map((m) => coerceMessageLikeToMessage(m));
  }
  if (isExactly(message, ChatMessagePromptTemplate)) {
    return [new ChatMessage(formatStringSync(message.prompt as PromptTemplate, values), message.role)];
  }
  const template = message as HumanMessagePromptTemplate;
  if (!Array.isArray(template.prompt)) {
    return [template.createMessage(formatStringSync(template.prompt as PromptTemplate, values))];
  }
  const content: Array<Record<string, unknown>> = [];
  for (const part of template.prompt as unknown[]) {
    const inputs: Record<string, unknown> = {};
    for (const name of (part as { inputVariables: string[] }).inputVariables) inputs[name] = values[name];
    const extra = (part as { additionalContentFields?: Record<string, unknown> }).additionalContentFields;
    if (isExactly(part, PromptTemplate)) {
      const text = formatStringSync(part, inputs);
      if (text !== '') content.push({ ...extra, type: 'text', text });
    } else {
      content.push({ ...extra, type: 'image_url', image_url: formatImageSync(part as ImagePromptTemplate, inputs) });
    }
  }
  return [template.createMessage(content as MessageContent)];
}

function formatStringSync(prompt: PromptTemplate, values: Record<string, unknown>): string {
  const all = { ...stringPartials(prompt.partialVariables), ...values };
  return renderTemplate(prompt.template as string, prompt.templateFormat, all as never);
}

function formatImageSync(prompt: ImagePromptTemplate, values: Record<string, unknown>): { url: string; detail?: string } {
  const formatted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(prompt.template)) {
    formatted[key] = typeof value === 'string' ? renderTemplate(value, prompt.templateFormat, values as never) : value;
  }
  const url = (values.url as string) || (formatted.url as string);
  const detail = (values.detail as string) || (formatted.detail as string);
  if (!url) throw new Error('Must provide either an image URL.');
  if (typeof url !== 'string') throw new Error('url must be a string.');
  return detail ? { url, detail } : { url };
}

function whyNotStringPrompt(prompt: PromptTemplate): string | undefined {
  if (typeof prompt.template !== 'string') return 'a PromptTemplate with a non-string template';
  return whyNotPartials(prompt.partialVariables);
}

function whyNotMessageTemplate(message: unknown): string | undefined {
  if (message instanceof BaseMessage) {
    const content = message.content;
    if (typeof content === 'string') return undefined;
    // LangChain formats image URLs inside static messages; we don't.
    return content.some((part) => (part as { type?: string }).type === 'image_url')
      ? 'a static message with an image_url part'
      : undefined;
  }
  if (isExactly(message, MessagesPlaceholder)) return undefined;
  if (isExactly(message, ChatMessagePromptTemplate)) {
    return isExactly(message.prompt, PromptTemplate) ? whyNotStringPrompt(message.prompt) : `${nameOf(message.prompt)} inside a ChatMessagePromptTemplate`;
  }
  if (
    isExactly(message, HumanMessagePromptTemplate) ||
    isExactly(message, AIMessagePromptTemplate) ||
    isExactly(message, SystemMessagePromptTemplate)
  ) {
    const parts: unknown[] = Array.isArray(message.prompt) ? message.prompt : [message.prompt];
    for (const part of parts) {
      if (isExactly(part, PromptTemplate)) {
        const reason = whyNotStringPrompt(part);
        if (reason) return reason;
      } else if (!isExactly(part, ImagePromptTemplate) || !Array.isArray(message.prompt)) {
        return `${nameOf(part)} inside a ${nameOf(message)}`;
      }
    }
    return undefined;
  }
  return `the message template ${nameOf(message)}`;
}

function whyNotPartials(partials: unknown): string | undefined {
  if (!partials) return undefined;
  const fn = Object.entries(partials as Record<string, unknown>).find(([, v]) => typeof v !== 'string');
  return fn ? `the partial variable "${fn[0]}" is a function (its value may be async)` : undefined;
}

function stringPartials(partials: unknown): Record<string, unknown> {
  return { ...(partials as Record<string, unknown> | undefined) };
}

function asValues(input: unknown): Record<string, unknown> {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return input as Record<string, unknown>;
  throw new TypeError(`marbleChatModel: a prompt template's input must be an object of template variables, got ${typeof input}.`);
}

function isExactly<T>(value: unknown, cls: abstract new (...args: never[]) => T): value is T {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === cls.prototype;
}

function nameOf(value: unknown): string {
  if (typeof value === 'function') return `a function (RunnableLambda)`;
  if (typeof value !== 'object' || value === null) return String(value);
  const ctor = (value as { constructor?: { name?: string; lc_name?: () => string } }).constructor;
  return (typeof ctor?.lc_name === 'function' ? ctor.lc_name() : ctor?.name) || 'an unknown step';
}
