/**
 * The offline agent answers a rejected tool call by saying so, whoever rejected it and in whichever
 * words the rejection reached it: the middleware's default, the CLI's and the page's `用户拒绝了 …`,
 * and the AI SDK wire's denial with a reason (`fromUIApprovals`: `The user denied this tool call: …`).
 * A tool that failed on its own is not a rejection.
 */
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { ScriptedChatModel } from '../../src/offline/ScriptedChatModel';
import { createOfflineTools } from '../../src/offline/agentTools';

const model = new ScriptedChatModel().bindTools(createOfflineTools());
const afterResult = (content: string) => [
  new HumanMessage('123 加 456 等于多少？'),
  new AIMessage({ content: '', tool_calls: [{ id: 'call-1', name: 'add', args: { a: 123, b: 456 } }] }),
  new ToolMessage({ content, tool_call_id: 'call-1', name: 'add', status: 'error' }),
];

describe('the offline agent after a rejected tool call', () => {
  test.each([
    ['User rejected the tool call for `add` with id call-1', '好的，没有执行：User rejected the tool call for `add` with id call-1 🙅'],
    ['用户拒绝了 add 调用：不用算了', '好的，没有执行：用户拒绝了 add 调用：不用算了 🙅'],
    ['The user denied this tool call: 用户拒绝了 add 调用：不用算了', '好的，没有执行：用户拒绝了 add 调用：不用算了 🙅'],
    ['The user denied this tool call: 不用算了', '好的，没有执行：不用算了 🙅'],
  ])('%s → says so', async (rejection, answer) => {
    expect((await model.invoke(afterResult(rejection))).text).toBe(answer);
  });

  test('a tool error is not a rejection', async () => {
    expect((await model.invoke(afterResult('Error: something broke'))).text).not.toContain('没有执行');
  });
});
