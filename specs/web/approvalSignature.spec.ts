/**
 * The approval signature is the AI SDK's own (`experimental_toolApprovalSecret`): a signature the
 * SDK's streamText makes verifies with ours, one we make is refused when the call or input changes.
 */
import { jsonSchema, streamText, tool } from 'ai';
import { MockLanguageModelV3, convertArrayToReadableStream } from 'ai/test';
import { canonicalJSON, signApproval, verifyApproval } from '../../src/web/approvalSignature';

const SECRET = 'secret-🔐';

it("verifies the signature of the AI SDK's own approval request (streamText, ai 6)", async () => {
  const model = new MockLanguageModelV3({
    doStream: async () => ({
      stream: convertArrayToReadableStream([
        { type: 'tool-call', toolCallId: 'call-1', toolName: 'send_email', input: JSON.stringify({ to: 'ada@example.com', body: '你好 🌏', n: [2, { b: 1, a: 0 }] }) },
        { type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage: { inputTokens: { total: 1 }, outputTokens: { total: 1 } } },
      ] as never),
    }),
  });
  const result = streamText({
    model,
    prompt: 'hi',
    tools: { send_email: tool({ inputSchema: jsonSchema({ type: 'object' }), needsApproval: true, execute: async () => 'sent' }) },
    experimental_toolApprovalSecret: SECRET,
  } as never);
  const chunks: { type: string; approvalId?: string; toolCallId?: string; signature?: string }[] = [];
  for await (const chunk of result.toUIMessageStream()) chunks.push(chunk as never);
  const request = chunks.find((c) => c.type === 'tool-approval-request')!;
  expect(request.signature).toEqual(expect.any(String));
  const approval = { approvalId: request.approvalId!, toolCallId: 'call-1', toolName: 'send_email', input: { to: 'ada@example.com', body: '你好 🌏', n: [2, { b: 1, a: 0 }] } };
  expect(await verifyApproval(SECRET, request.signature!, approval)).toBe(true);
  expect(await signApproval(SECRET, approval)).toBe(request.signature);
  expect(await verifyApproval(SECRET, request.signature!, { ...approval, input: { ...approval.input, to: 'grace@example.com' } })).toBe(false);
  expect(await verifyApproval('another secret', request.signature!, approval)).toBe(false);
  expect(await verifyApproval(SECRET, '%%not base64%%', approval)).toBe(false);
});

it('canonical JSON sorts keys at every level and keeps array order', () => {
  expect(canonicalJSON({ b: 1, a: [{ d: 1, c: 2 }, '中文'] })).toBe('{"a":[{"c":2,"d":1},"中文"],"b":1}');
});
