/**
 * Seed 6.1 — invoke vs stream. `compareInvokeAndStream` times both calls, started
 * together so the demo takes as long as one reply: invoke's first visible character
 * arrives only with the whole reply; stream's first chunk arrives after the time to
 * first token. Offline, the embedded model has realistic latency (350 ms to the first
 * chunk, 25 ms per chunk), also in the tour, so the difference is real; with
 * DEMO_LATENCY=0 both are near zero.
 */
import { HumanMessage } from '@langchain/core/messages';
import { compareInvokeAndStream } from './lib/compareInvokeAndStream';
import { seconds } from './lib/print';
import type { Demo } from './types';

export const demo: Demo = {
  name: 'latency',
  seed: '6.1',
  summary: 'time to first character: invoke vs stream',
  aboutLatency: true,
  async run({ model, out }) {
    const question = '详细介绍Python的历史和发展';
    out.write('=== 性能对比 ===\n\n');
    const r = await compareInvokeAndStream(model, [new HumanMessage(question)], { first: 'together' });
    out.write('--- invoke 方式 ---\n');
    out.write(`首字时间: ${seconds(r.invoke.totalMs)}\n总时间: ${seconds(r.invoke.totalMs)}\n响应长度: ${r.invoke.chars} 字符\n\n`);
    out.write('--- stream 方式 ---\n');
    out.write(`首字时间: ${r.stream.firstChunkMs === null ? '-' : seconds(r.stream.firstChunkMs)}\n总时间: ${seconds(r.stream.totalMs)}\n响应长度: ${r.stream.chars} 字符 (${r.stream.chunks} 块)\n\n`);
    const reduction = r.perceivedLatencyReduction;
    out.write(`感知延迟降低: ${reduction === null ? '-' : `${(reduction * 100).toFixed(1)}%`}\n\n`);
  },
};
