/** The agent-protocol bench's table: both sides' figures side by side with ours / peer. */
import { median } from './measure';
import type { SideFigures } from './agentProtocol.side';

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(n >= 100 ? 0 : 1)} ms` : '—');
const ratio = (o: number, p: number): string => (p === 0 || !Number.isFinite(o / p) ? '—' : `${(o / p).toFixed(2)}×`);

/** Bytes a side's service holds more after the runs than before, per run. */
const serviceDelta = (f: SideFigures, name: string): number =>
  f.servicesAfter && f.servicesBefore ? (f.servicesAfter[name] - f.servicesBefore[name]) / f.runs : 0;

/** A median with its sample count, `—` without samples. */
const medianOf = (xs: readonly number[]): number => (xs.length === 0 ? NaN : median(xs));

export function printFigures(size: number, ours: SideFigures, peer: SideFigures): void {
  const row = (figure: string, o: number, p: number, show: (n: number) => string): void =>
    console.log(`| ${figure} | ${show(o)} | ${show(p)} | ${ratio(o, p)} |`);
  const per = (n: number): string => `${kb(n)} / run`;
  console.log(`| figure (N=${size}) | ours: 2 instances, Redis + Postgres | peer: langgraph-api in memory, 1 instance | ours / peer |`);
  console.log('| --- | --- | --- | --- |');
  const outcomes = (f: SideFigures): string => `${f.runs - f.failed} (${f.failed - f.stuckCount} other ends, ${f.stuckCount} never ended)`;
  console.log(`| runs completed (of N) | ${outcomes(ours)} | ${outcomes(peer)} | |`);
  console.log(`| runs whose streamed text is not the answer | ${ours.wrongText} | ${peer.wrongText} | |`);
  row('wall time of all N runs', ours.wallMs, peer.wallMs, ms);
  row('median client, stream open → root `completed`', ours.clientMedianMs, peer.clientMedianMs, ms);
  row('server process CPU per run', ours.serverCpuMs / size, peer.serverCpuMs / size, ms);
  console.log(`| Redis + Postgres CPU per run | ${ms(ours.servicesCpuMs / size)} | none | |`);
  row('all server-side CPU per run', (ours.serverCpuMs + ours.servicesCpuMs) / size, (peer.serverCpuMs + peer.servicesCpuMs) / size, ms);
  row('events a client heard per run', ours.eventsPerRun, peer.eventsPerRun, (n) => n.toFixed(1));
  row('server process RSS, peak above idle', (ours.rssPeak - ours.rssBefore) / size, (peer.rssPeak - peer.rssBefore) / size, per);
  row('server process RSS after (GC’d) above idle', (ours.rssAfter - ours.rssBefore) / size, (peer.rssAfter - peer.rssBefore) / size, per);
  row('server heap kept after the runs (after GC)', (ours.heapAfter - ours.heapBefore) / size, (peer.heapAfter - peer.heapBefore) / size, per);
  console.log(`| Redis \`used_memory\` kept after the runs | ${per(serviceDelta(ours, 'redis'))} | none (no Redis) | |`);
  console.log(`| Postgres database size kept after the runs | ${per(serviceDelta(ours, 'postgres'))} | none (checkpoints in its heap) | |`);
  const kept = (f: SideFigures): number => (f.heapAfter - f.heapBefore) / size + serviceDelta(f, 'redis') + serviceDelta(f, 'postgres');
  row('kept per run, all places (heap + Redis + Postgres)', kept(ours), kept(peer), per);
  const n = (f: SideFigures): string => `${f.reconnectToFirstEventMs.length} of ${f.droppers}`;
  console.log(`| droppers (reconnect measured) | ${n(ours)} | ${n(peer)} | |`);
  row('reconnect → first event on the wire, median', medianOf(ours.reconnectToFirstEventMs), medianOf(peer.reconnectToFirstEventMs), ms);
  row('drop → first event not heard before, median', medianOf(ours.dropToFirstNewEventMs), medianOf(peer.dropToFirstNewEventMs), ms);
  console.log(`| droppers' events lost / duplicated (by event_id, vs a fresh read of the thread) | ${ours.lost} / ${ours.duplicated} | ${peer.lost} / ${peer.duplicated} | |`);
  for (const [name, f] of [['ours', ours], ['peer', peer]] as const) {
    for (const [end, count] of Object.entries(f.otherEnds)) console.log(`\n${name}: ${count} run(s) ended ${end}`);
    for (const line of f.stuck) console.log(`\n${name}, never ended: ${line}`);
  }
}
