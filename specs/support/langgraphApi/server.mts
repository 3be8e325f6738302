// Runs @langchain/langgraph-api's own in-memory server (what `langgraphjs dev` runs) in a child
// process, under tsx (the package is ESM and loads graphs by path): `node --import tsx server.mts
// <cwd>`. Serves graph.ts's `plain` on 127.0.0.1 and a free port, printed as `listening <url>`.
import { startServer } from '@langchain/langgraph-api/server';
import { fileURLToPath } from 'node:url';

const cwd = process.argv[2];
const graph = fileURLToPath(new URL('./graph.ts', import.meta.url));
const { host, cleanup } = await startServer({ port: 0, nWorkers: 1, host: '127.0.0.1', cwd, graphs: { plain: `${graph}:plain`, mail: `${graph}:mail` } });
process.stdout.write(`listening http://${host}\n`);
process.stdin.resume();
process.stdin.on('end', () => void cleanup().finally(() => process.exit(0)));
