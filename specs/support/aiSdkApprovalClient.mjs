// The AI SDK's own chat client in a child process, driving one approval scenario against a server:
// `AbstractChat` (what useChat wraps) + `DefaultChatTransport`, with automatic resend
// (`sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses`). Every response
// body is also read with the SDK's `parseJsonEventStream` + strict `uiMessageChunkSchema`, and every
// request body is recorded as sent. Runs with `ai` 6 (this repository's) or `ai` 7 (a cache folder).
// Usage: node aiSdkApprovalClient.mjs <ai entry file URL> <api URL> <scenario: approve|deny|edit|stop-while-waiting|reload>
// `reload`: the page reloads while the request waits: a new Chat starts from `GET {api}/:id/history` and approves.
const [aiEntry, api, scenario] = process.argv.slice(2);
const ai = await import(aiEntry);

class PlainState {
  status = 'ready';
  error = undefined;
  messages = [];
  pushMessage = (message) => { this.messages = [...this.messages, message]; };
  popMessage = () => { this.messages = this.messages.slice(0, -1); };
  replaceMessage = (index, message) => { this.messages = [...this.messages.slice(0, index), message, ...this.messages.slice(index + 1)]; };
  snapshot = (thing) => structuredClone(thing);
}
class Chat extends ai.AbstractChat {}

const requests = [];
const responses = [];
const reads = [];
async function recordingFetch(url, init) {
  requests.push(JSON.parse(init.body));
  const response = await fetch(url, init);
  const chunks = [];
  const invalid = [];
  responses.push({ status: response.status, chunks, invalid });
  if (!response.ok) return response; // a refusal: JSON, not a stream
  const [forClient, forCheck] = response.body.tee();
  reads.push((async () => {
    const parsed = ai.parseJsonEventStream({ stream: forCheck, schema: ai.uiMessageChunkSchema });
    for await (const result of parsed) {
      if (result.success) chunks.push(result.value);
      else invalid.push(String(result.error?.message ?? result.error));
    }
  })());
  return new Response(forClient, { status: response.status, headers: response.headers });
}

const newChat = (messages) => {
  const chat = new Chat({
    id: `chat-${scenario}-${process.pid}`,
    transport: new ai.DefaultChatTransport({ api, fetch: recordingFetch }),
    state: new PlainState(),
    sendAutomaticallyWhen: ai.lastAssistantMessageIsCompleteWithApprovalResponses,
  });
  if (messages) chat.messages = messages;
  return chat;
};
let chat = newChat();

/** Waits until `check()` holds, looking again every few ms (no deadline: the spec's own timeout is the only one). */
async function until(check) {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}
const toolPart = () => chat.messages.at(-1)?.parts.find((p) => p.type.startsWith('tool-'));

await chat.sendMessage({ text: '给 Ada 发一封邮件说你好' });
await until(() => chat.status === 'ready');
let waiting = structuredClone(toolPart());
const messagesWhileWaiting = chat.messages.length;
if (scenario === 'reload') {
  const response = await fetch(`${api}/${chat.id}/history`, { headers: { "x-requested-with": "fetch" } }); // a page sends it same-origin
  const history = await response.json();
  if (!response.ok) throw new Error(`GET history: ${response.status} ${JSON.stringify(history)}`);
  chat = newChat(history.messages);
  waiting = structuredClone(toolPart());
}

if (scenario === 'stop-while-waiting') {
  await chat.stop(); // the user presses Stop while the request is shown: nothing is running
}
if (scenario === 'edit') {
  // The page lets the user change the input before approving: the tool part is updated in place.
  chat.messages = chat.messages.map((m, i) =>
    i === chat.messages.length - 1 ? { ...m, parts: m.parts.map((p) => (p === toolPart() ? { ...p, input: { ...p.input, to: 'grace@example.com' } } : p)) } : m);
}
const approved = scenario !== 'deny';
await chat.addToolApprovalResponse({ id: waiting.approval.id, approved, ...(approved ? {} : { reason: 'Ada 在休假' }) });
await until(() => requests.length === 2 && (chat.status === 'ready' || chat.status === 'error'));
await Promise.all(reads);

console.log(JSON.stringify({
  version: ai.uiMessageChunkSchema ? (await import(new URL('../package.json', aiEntry), { with: { type: 'json' } })).default.version : undefined,
  waiting, messagesWhileWaiting, secondRequest: requests[1], requests: requests.length, responses, messages: chat.messages, status: chat.status,
  error: chat.error ? String(chat.error.message ?? chat.error) : null,
}));
