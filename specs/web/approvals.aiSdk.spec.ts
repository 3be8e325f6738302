/**
 * Approvals over the AI SDK wire, verified with the SDK's own client (`ai` 6 from this repository,
 * `ai` 7 from a cache folder) in a child process: AbstractChat + DefaultChatTransport with automatic
 * resend after addToolApprovalResponse. The server is a real createAgent + humanInTheLoopMiddleware +
 * MemorySaver behind sendUIMessageStream; fromUIApprovals reads the second request, approvalResume
 * resumes the thread. Every chunk passes the SDK's strict uiMessageChunkSchema; the second request
 * body is the one the client really sent.
 */
import { text } from 'node:stream/consumers';
import { tap } from 'rxjs';
import { Command } from '@langchain/langgraph';
import { HumanMessage } from '@langchain/core/messages';
import { fromAgent } from '../../src/sources/fromAgent';
import { approvalResume } from '../../src/sources/approvalResume';
import { fromUIApprovals } from '../../src/web/fromUIApprovals';
import { ApprovalResponseError } from '../../src/web/approvalErrors';
import { sendUIMessageStream } from '../../src/node/sendUIMessageStream';
import type { ApprovalRequestPart } from '../../src/parts/types';
import { listen } from '../support/http';
import { approvalAgent } from '../support/approvalAgent';
import { AI_7_VERSION } from '../support/aiSdk7';
import { approvalClients, runApprovalClient } from '../support/aiSdkApprovalRunner';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

const ANY_CLIENT = { allowedOrigins: (): boolean => true } as const;
const SECRET = 'approval-secret-🔑';

interface ClientRun {
  version: string;
  waiting: { type: string; toolCallId: string; state: string; input: Record<string, unknown>; approval: { id: string; signature?: string } };
  messagesWhileWaiting: number;
  secondRequest: { id: string; trigger: string; messageId?: string; messages: { id: string; role: string; parts: Record<string, unknown>[] }[] };
  requests: number;
  responses: { status: number; chunks: { type: string; [k: string]: unknown }[]; invalid: string[] }[];
  messages: { id: string; role: string; parts: { type: string; state?: string; text?: string; output?: unknown; input?: unknown }[] }[];
  status: string;
  error: string | null;
}

/** The approval server: one agent, threads by chat id, what each thread waits for. */
async function approvalServer(options: { secret?: string } = {}) {
  const setup = approvalAgent();
  const pending = new Map<string, ApprovalRequestPart[]>();
  const refusals: number[] = [];
  const http = await listen(async (req, res) => {
    const body = JSON.parse(await text(req)) as { id: string; messages: { role: string; parts: { type: string; text?: string }[] }[] };
    const config = { configurable: { thread_id: body.id } };
    let answer;
    try {
      answer = await fromUIApprovals(body.messages, { pending: pending.get(body.id) ?? [], toolApprovalSecret: options.secret });
    } catch (e) {
      if (!(e instanceof ApprovalResponseError)) throw e;
      refusals.push(e.status);
      res.writeHead(e.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: e.message }));
      return;
    }
    const asked: ApprovalRequestPart[] = [];
    pending.delete(body.id);
    const question = body.messages.at(-1)?.parts.find((p) => p.type === 'text')?.text ?? '';
    const run = answer
      ? fromAgent(setup.agent, new Command({ resume: approvalResume(answer.decisions) }), config)
      : fromAgent(setup.agent, { messages: [new HumanMessage(question)] }, config);
    const tracked = run.pipe(tap({ next: (p) => p.type === 'approval-request' && asked.push(p), complete: () => asked.length > 0 && pending.set(body.id, asked) }));
    sendUIMessageStream(tracked, res, { ...ANY_CLIENT, ...(answer && { messageId: answer.messageId }), toolApprovalSecret: options.secret });
  });
  return { ...setup, http, pending, refusals };
}

const runClient = (entry: string, api: string, scenario: string) => runApprovalClient<ClientRun>(entry, api, scenario);

const types = (chunks: { type: string }[]) => chunks.map((c) => c.type).filter((t) => t !== 'text-delta' && t !== 'tool-input-delta');
const lastMessage = (run: ClientRun) => run.messages.at(-1)!;
const toolOf = (run: ClientRun) => lastMessage(run).parts.find((p) => p.type === 'tool-send_email')!;
const textOf = (run: ClientRun) => lastMessage(run).parts.filter((p) => p.type === 'text').map((p) => p.text).join('');

const clients = approvalClients;

describe.each(clients)('approvals with the %s client', (_name, entry) => {
  const maybe = entry === undefined ? it.skip : it;
  let server: Awaited<ReturnType<typeof approvalServer>>;
  beforeAll(async () => {
    server = await approvalServer({ secret: SECRET });
  });
  afterAll(() => server.http.close());

  maybe('approve: request → approval → the same message gets the output and the answer; the tool ran once', async () => {
    const run = await runClient(entry!, `${server.http.url}/api/chat`, 'approve');
    expect(run.error).toBeNull();
    expect(run.version).toBe(_name === 'ai 6' ? require('ai/package.json').version : AI_7_VERSION);
    expect(run.responses.map((r) => r.invalid)).toEqual([[], []]);
    expect(types(run.responses[0].chunks)).toEqual([
      'start', 'start-step', 'text-start', 'text-end', 'tool-input-start', 'tool-input-available', 'finish-step', 'tool-approval-request', 'finish',
    ]);
    expect(run.responses[0].chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });
    const request = run.responses[0].chunks.find((c) => c.type === 'tool-approval-request')!;
    expect(request).toEqual({ type: 'tool-approval-request', approvalId: expect.stringMatching(/^[0-9a-f]{32}:0$/), toolCallId: run.waiting.toolCallId, signature: expect.any(String) });
    expect(run.waiting).toMatchObject({ state: 'approval-requested', approval: { id: request.approvalId, signature: request.signature } });
    // What the client really sent the second time: the same assistant message, its tool part answered.
    const assistant = run.secondRequest.messages.at(-1)!;
    expect(run.secondRequest).toMatchObject({ trigger: 'submit-message', messageId: assistant.id });
    expect(assistant.role).toBe('assistant');
    expect(assistant.parts.find((p) => p.type === 'tool-send_email')).toMatchObject({
      toolCallId: run.waiting.toolCallId, state: 'approval-responded', input: { to: 'ada@example.com', body: '你好 🌏' },
      approval: { id: request.approvalId, approved: true },
    });
    expect(types(run.responses[1].chunks)).toEqual(['start', 'tool-output-available', 'start-step', 'text-start', 'text-end', 'finish-step', 'finish']);
    expect(run.responses[1].chunks[0]).toEqual({ type: 'start', messageId: assistant.id });
    expect(run.messages).toHaveLength(run.messagesWhileWaiting); // updated in place, no second assistant message
    expect(toolOf(run)).toMatchObject({ state: 'output-available', output: '已发送给 ada@example.com' });
    expect(textOf(run)).toBe('好的，我来发邮件。工具回复：已发送给 ada@example.com ✉️');
    expect(server.runs.filter((r) => r.to === 'ada@example.com')).toHaveLength(1);
  });

  maybe('deny: tool-output-denied, the tool never runs, the answer mentions the reason', async () => {
    const before = server.runs.length;
    const run = await runClient(entry!, `${server.http.url}/api/chat`, 'deny');
    expect(run.error).toBeNull();
    expect(run.responses.map((r) => r.invalid)).toEqual([[], []]);
    expect(run.secondRequest.messages.at(-1)!.parts.find((p) => p.type === 'tool-send_email')).toMatchObject({
      state: 'approval-responded', approval: { approved: false, reason: 'Ada 在休假' },
    });
    expect(types(run.responses[1].chunks)).toEqual(['start', 'tool-output-denied', 'start-step', 'text-start', 'text-end', 'finish-step', 'finish']);
    expect(toolOf(run).state).toBe('output-denied');
    expect(textOf(run)).toBe('好的，我来发邮件。工具回复：The user denied this tool call: Ada 在休假 ✉️');
    expect(server.runs.length).toBe(before);
  });

  maybe('edit: an input changed by the page needs a fresh signature — with one server secret the client is refused (403) and nothing runs', async () => {
    const before = server.runs.length;
    const run = await runClient(entry!, `${server.http.url}/api/chat`, 'edit');
    expect(run.responses[1].status).toBe(403);
    expect(run.status).toBe('error');
    expect(server.refusals).toContain(403);
    expect(server.runs.length).toBe(before);
  });

  maybe('stop while waiting: nothing runs and nothing is lost; the approval afterwards resumes the run', async () => {
    const before = server.runs.length;
    const run = await runClient(entry!, `${server.http.url}/api/chat`, 'stop-while-waiting');
    expect(run.error).toBeNull();
    expect(toolOf(run).state).toBe('output-available');
    expect(server.runs.length).toBe(before + 1);
  });
});

describe.each(clients)('edit without signatures, with the %s client', (_name, entry) => {
  const maybe = entry === undefined ? it.skip : it;
  maybe('edit: the tool runs once with the input the page changed', async () => {
    const server = await approvalServer();
    cleanup(() => server.http.close());
    const run = await runClient(entry!, `${server.http.url}/api/chat`, 'edit');
    expect(run.error).toBeNull();
    expect(run.responses.map((r) => r.invalid)).toEqual([[], []]);
    expect(run.secondRequest.messages.at(-1)!.parts.find((p) => p.type === 'tool-send_email')).toMatchObject({ input: { to: 'grace@example.com' } });
    expect(server.runs).toEqual([{ to: 'grace@example.com', body: '你好 🌏' }]);
    expect(textOf(run)).toContain('grace@example.com');
  });
});
