/**
 * Demo 14 (`npm run demo -- approval`), offline: three runs of a guarded send_email stop at an
 * approval request; approve sends to the address the model wrote, reject never sends and the
 * answer quotes the reason, edit sends to the edited address. The tool runs exactly twice.
 */
import { ScriptedChatModel } from '../../src/offline/ScriptedChatModel';
import { demo } from '../../demos/14-approval';
import { DEMOS } from '../../demos';

function capture(): { out: NodeJS.WritableStream; text: () => string } {
  let written = '';
  const out = Object.assign(Object.create(null) as NodeJS.WritableStream, { write: (s: string) => ((written += s), true), isTTY: false });
  return { out, text: () => written };
}

it('approval, rejection and edit, offline, in order', async () => {
  const { out, text } = capture();
  await demo.run({ model: new ScriptedChatModel(), description: 'offline', offline: true, out, color: false, env: {} }, []);
  const lines = text().split('\n');
  const decided = lines.filter((l) => l.startsWith('决定:') || l.startsWith('✓') || l.startsWith('✋') || l.startsWith('['));
  expect(decided).toEqual([
    '[awaiting-decision]', '决定: approve', '✓ 结果: 已发送给 ada@example.com', '[stop]',
    '[awaiting-decision]', '决定: reject', '✋ 没有执行: 用户拒绝了 send_email 调用：先别发，等我确认会议室', '[stop]',
    '[awaiting-decision]', '决定: edit', '✓ 结果: 已发送给 grace@example.com', '[stop]',
    '[send_email 共执行 2 次: ada@example.com, grace@example.com]',
  ]);
  expect(lines).toContain('没有发送：用户拒绝了 send_email 调用：先别发，等我确认会议室');
  expect(lines.filter((l) => l === '⏸ 需要批准: send_email → ada@example.com')).toHaveLength(3);
});

it('is in the tour as demo 14', () => {
  expect(DEMOS.map((d) => [d.seed, d.name]).at(-1)).toEqual(['14', 'approval']);
});
