/**
 * fromAgentServer answers approvals with the library's approvalResume(decisions): a real
 * createAgent + humanInTheLoopMiddleware graph served by createAgentProtocolHandler stops at the
 * interrupt (an approval-request part), and `respond: approvalResume(…)` resumes it on the same
 * thread: the tool runs once (approve), once with the edited input (edit) or never (reject, its
 * result is the rejection, `denied`), with the parts fromAgent gives for the same run; and
 * @langchain/langgraph-api's own server gives the same parts.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { approvalResume, fromAgentServer, type ApprovalDecision, type ApprovalRequestPart, type StreamPart } from '../../src';
import { approvalAgent, ASK } from '../support/approvalAgent';
import { startProtocolInstance, type ProtocolInstance } from '../support/agentProtocol';
import { comparable, startLangGraphApi } from '../support/langgraphApi/start';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

const textOf = (parts: StreamPart[]) => parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('');
const kinds = (parts: StreamPart[]) => parts.map((p) => p.type).filter((t) => t !== 'text' && t !== 'tool-call-delta' && t !== 'usage');
const requestOf = (parts: StreamPart[]) => parts.find((p): p is ApprovalRequestPart => p.type === 'approval-request')!;

type Decide = (request: ApprovalRequestPart) => ApprovalDecision;
const approve: Decide = (request) => ({ type: 'approve', request });
const EDITED = { to: 'grace@example.com', body: '改过的 👩‍💻' };
const edit: Decide = (request) => ({ type: 'edit', request, args: EDITED });
const reject: Decide = (request) => ({ type: 'reject', request, message: '不要发，Ada 在休假' });

/** Asks the `mail` agent on a new thread of the server at `url`, then answers its approval request with `decide(request)`. */
async function decideOn(url: string, decide: Decide) {
  const threadId = crypto.randomUUID();
  const asked = await lastValueFrom(fromAgentServer({ apiUrl: url, assistantId: 'mail', threadId, input: { messages: ASK } }).pipe(toArray()));
  const request = requestOf(asked);
  const resume = approvalResume([decide(request)]);
  const parts = await lastValueFrom(fromAgentServer({ apiUrl: url, assistantId: 'mail', threadId, respond: resume }).pipe(toArray()));
  return { asked, request, parts };
}

describe('fromAgentServer respond: approvalResume(decisions)', () => {
  let setup: ReturnType<typeof approvalAgent>;
  let server: ProtocolInstance;
  beforeAll(async () => {
    // No text before the call: under streamEvents v3 @langchain/core 1.4 loses a call that follows text (langchain-ai/langchainjs#11074).
    setup = approvalAgent({ preamble: '' });
    server = await startProtocolInstance({ graphs: { mail: setup.agent } });
  });
  beforeEach(() => void setup.runs.splice(0));
  afterAll(async () => {
    await server.handler.close();
    server.drop();
    await new Promise<void>((resolve) => server.server.close(() => resolve()));
  });

  it('the run stops at an approval-request part, awaiting a decision; the tool has not run', async () => {
    const { asked, request } = await decideOn(server.url, approve);
    expect(kinds(asked)).toEqual(['step-start', 'tool-call-start', 'tool-call', 'step-finish', 'approval-request', 'finish']);
    expect(request).toMatchObject({ toolName: 'send_email', input: { to: 'ada@example.com', body: '你好 🌏' }, allowedDecisions: ['approve', 'edit', 'reject'], description: '发邮件前请确认' });
    expect(asked.at(-1)).toMatchObject({ type: 'finish', finishReason: 'awaiting-decision' });
  });

  it('approve: the tool runs once with its input; the interrupted message is not streamed again', async () => {
    const { request, parts } = await decideOn(server.url, approve);
    expect(setup.runs).toEqual([{ to: 'ada@example.com', body: '你好 🌏' }]);
    expect(kinds(parts)).toEqual(['tool-result', 'step-start', 'step-finish', 'finish']);
    expect(parts[0]).toEqual({ type: 'tool-result', id: request.toolCallId, name: 'send_email', content: '已发送给 ada@example.com', isError: false, namespace: [expect.stringMatching(/^tools:/)] });
    expect(textOf(parts)).toBe('工具回复：已发送给 ada@example.com ✉️');
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('edit: the tool runs once with the edited input', async () => {
    const { parts } = await decideOn(server.url, edit);
    expect(setup.runs).toEqual([EDITED]);
    expect(textOf(parts)).toBe('工具回复：已发送给 grace@example.com ✉️');
  });

  it('reject: the tool never runs, its result is the rejection (denied) and the reply quotes it', async () => {
    const { request, parts } = await decideOn(server.url, reject);
    expect(setup.runs).toEqual([]);
    expect(kinds(parts)).toEqual(['tool-result', 'step-start', 'step-finish', 'finish']);
    expect(parts[0]).toEqual({ type: 'tool-result', id: request.toolCallId, name: 'send_email', content: '不要发，Ada 在休假', isError: true, denied: true });
    expect(textOf(parts)).toBe('工具回复：不要发，Ada 在休假 ✉️');
  });

  it('gives the same parts as @langchain/langgraph-api’s own server for approve, edit and reject', async () => {
    const reference = await startLangGraphApi();
    cleanup(() => reference.stop());
    for (const decide of [approve, edit, reject]) {
      const ours = await decideOn(server.url, decide);
      const theirs = await decideOn(reference.url, decide);
      expect(comparable(theirs.asked)).toEqual(comparable(ours.asked));
      expect(comparable(theirs.parts)).toEqual(comparable(ours.parts));
    }
  });

  it('checks respond at call time', () => {
    const call = (respond: unknown) => () => fromAgentServer({ apiUrl: server.url, assistantId: 'mail', respond: respond as never });
    expect(call({})).toThrow(/respond answers no interrupt: give approvalResume\(decisions\)/);
    expect(call('approve')).toThrow(/respond must be \{ interruptId, response \} or approvalResume\(decisions\), got the string "approve"/);
    expect(call({ interruptId: 7, response: 1 })).toThrow(/respond.interruptId must be a non-empty string, got the number 7/);
  });
});
