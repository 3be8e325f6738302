/**
 * createChatHandler({ agent, Command }) over real HTTP (toNodeHandler) against the AI SDK's own
 * client, `ai` 6 and 7, in a child process: AbstractChat + DefaultChatTransport with automatic
 * resend after addToolApprovalResponse. Every chunk passes the SDK's strict uiMessageChunkSchema;
 * the handler takes the second request exactly as the client sends it, also after a reload that
 * rebuilt the chat from `GET {base}/:id/history`.
 */
import { createChatHandler, type ChatHandler } from '../../../src';
import { toNodeHandler } from '../../../src/node';
import { listen } from '../../support/http';
import { approvalAgent } from '../../support/approvalAgent';
import { approvalClients, runApprovalClient } from '../../support/aiSdkApprovalRunner';
import { Command } from '../../support/approvalHandler';


interface ClientRun {
  responses: { status: number; chunks: { type: string; [k: string]: unknown }[]; invalid: string[] }[];
  secondRequest: { messageId?: string; messages: { id: string; role: string; parts: Record<string, unknown>[] }[] };
  messages: { id: string; role: string; parts: { type: string; state?: string; text?: string; output?: unknown }[] }[];
  messagesWhileWaiting: number;
  status: string;
  error: string | null;
}

const runClient = (entry: string, api: string, scenario: string) => runApprovalClient<ClientRun>(entry, api, scenario);

const types = (chunks: { type: string }[]) => chunks.map((c) => c.type).filter((t) => t !== 'text-delta' && t !== 'tool-input-delta');
const toolOf = (run: ClientRun) => run.messages.at(-1)!.parts.find((p) => p.type === 'tool-send_email')!;
const textOf = (run: ClientRun) => run.messages.at(-1)!.parts.filter((p) => p.type === 'text').map((p) => p.text).join('');

const clients = approvalClients;

describe.each(clients)('createChatHandler approvals with the %s client', (_name, entry) => {
  const maybe = entry === undefined ? it.skip : it;
  let setup: ReturnType<typeof approvalAgent>;
  let handler: ChatHandler;
  let http: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    setup = approvalAgent();
    // The client's chat ids are short (chat-<scenario>-<pid>): a principal owns them.
    handler = createChatHandler({ agent: setup.agent, Command, authorize: () => 'alice' });
    http = await listen(toNodeHandler(handler));
  });
  afterAll(async () => {
    await handler.close();
    await http.close();
  });
  const api = () => `${http.url}/api/chat`;

  maybe('approve: the continuation updates the same message, the tool runs once', async () => {
    const before = setup.runs.length;
    const run = await runClient(entry!, api(), 'approve');
    expect(run.error).toBeNull();
    expect(run.responses.map((r) => [r.status, r.invalid])).toEqual([[200, []], [200, []]]);
    expect(types(run.responses[0].chunks).slice(-3)).toEqual(['finish-step', 'tool-approval-request', 'finish']);
    expect(run.responses[1].chunks[0]).toEqual({ type: 'start', messageId: run.secondRequest.messageId });
    expect(run.messages).toHaveLength(run.messagesWhileWaiting);
    expect(toolOf(run)).toMatchObject({ state: 'output-available', output: '已发送给 ada@example.com' });
    expect(textOf(run)).toBe('好的，我来发邮件。工具回复：已发送给 ada@example.com ✉️');
    expect(setup.runs.length).toBe(before + 1);
  });

  maybe('deny: tool-output-denied, the tool never runs, the answer quotes the reason', async () => {
    const before = setup.runs.length;
    const run = await runClient(entry!, api(), 'deny');
    expect(run.error).toBeNull();
    expect(types(run.responses[1].chunks)).toContain('tool-output-denied');
    expect(toolOf(run).state).toBe('output-denied');
    expect(textOf(run)).toBe('好的，我来发邮件。工具回复：The user denied this tool call: Ada 在休假 ✉️');
    expect(setup.runs.length).toBe(before);
  });

  maybe('edit: the page changed the input before approving (no signing): the tool runs once with it', async () => {
    const before = setup.runs.length;
    const run = await runClient(entry!, api(), 'edit');
    expect(run.error).toBeNull();
    expect(setup.runs.slice(before)).toEqual([{ to: 'grace@example.com', body: '你好 🌏' }]);
    expect(textOf(run)).toContain('grace@example.com');
  });

  maybe('stop while waiting: nothing runs; the later approval resumes the run', async () => {
    const before = setup.runs.length;
    const run = await runClient(entry!, api(), 'stop-while-waiting');
    expect(run.error).toBeNull();
    expect(toolOf(run).state).toBe('output-available');
    expect(setup.runs.length).toBe(before + 1);
  });

  maybe('reload while waiting: a new chat from GET history shows the request, and its approval resumes the run once', async () => {
    const before = setup.runs.length;
    const run = await runClient(entry!, api(), 'reload');
    expect(run.error).toBeNull();
    expect(run.responses.map((r) => [r.status, r.invalid])).toEqual([[200, []], [200, []]]);
    expect(run.responses[1].chunks[0]).toEqual({ type: 'start', messageId: run.secondRequest.messageId });
    expect(toolOf(run)).toMatchObject({ state: 'output-available', output: '已发送给 ada@example.com' });
    expect(run.messages).toHaveLength(2); // the reloaded question and answer, updated in place
    expect(setup.runs.length).toBe(before + 1);
  });
});
