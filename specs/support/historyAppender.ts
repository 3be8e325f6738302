/**
 * Child process of specs/node/FileChatMessageHistory.spec.ts: appends `count` turns
 * (question + reply, one addMessages call each) to a FileChatMessageHistory once the
 * parent writes "go" to stdin. Every `bigEvery`-th reply is `bigBytes` long, larger
 * than one fs write chunk of Node's writeFile (512 KiB).
 *
 * argv: <file> <name> <count> <bigEvery> <bigBytes>
 */
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { FileChatMessageHistory } from '../../src/node/FileChatMessageHistory';

const [file, name, count, bigEvery, bigBytes] = process.argv.slice(2);

async function main(): Promise<void> {
  const history = new FileChatMessageHistory(file);
  for (let i = 0; i < Number(count); i++) {
    const big = Number(bigEvery) > 0 && i % Number(bigEvery) === 0;
    const reply = big ? `${name}-a${i}:` + '长'.repeat(Math.ceil(Number(bigBytes) / 3)) : `${name}-a${i} 🐍`;
    await history.addMessages([new HumanMessage(`${name}-q${i}`), new AIMessage(reply)]);
  }
}

process.stdout.write('ready\n');
process.stdin.once('data', () => {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(String(err instanceof Error ? err.stack : err));
      process.exit(1);
    },
  );
});
