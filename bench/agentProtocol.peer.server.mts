// The peer of the agent-protocol bench, in its own process: @langchain/langgraph-api's own in-memory
// server (what `langgraphjs dev` runs) serving bench/agentProtocol.graph.ts's `agent`, started the way
// specs/support/langgraphApi/server.mts starts it, under tsx. argv: <cwd> <workers>. `workers` is its
// queue workers, i.e. runs at once (the bench gives it the run count: no run waits for a worker).
// LOG_LEVEL=error (the bench sets it): its per-run info logs would cost it CPU ours does not spend.
import { startServer } from '@langchain/langgraph-api/server';
import { fileURLToPath } from 'node:url';
import { serveBenchRequests } from './agentProtocol.child.js';

const [cwd, workers] = process.argv.slice(2);
const graph = fileURLToPath(new URL('./agentProtocol.graph.ts', import.meta.url));
const { host, cleanup } = await startServer({ port: 0, nWorkers: Number(workers), host: '127.0.0.1', cwd, graphs: { agent: `${graph}:agent` } });
serveBenchRequests([`http://${host}`], cleanup);
