import { from, lastValueFrom } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import { collectText, textContent } from '../src';
import { chunkText, makeReply } from './corpus';
const reply = makeReply(650 * 1024);
const values = chunkText(reply).map((content) => new AIMessageChunk({ content }));
async function main() { for (let i = 0; i < 150; i++) await lastValueFrom(from(values).pipe(textContent(), collectText())); }
main();
