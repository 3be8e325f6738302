/** A real `ws` client for the WebSocket chat specs: every message it got, in order, and waits by order (no clock). */
import { WebSocket } from 'ws';
import { until } from './chatHandler';

export type WsMessage = Record<string, unknown> & { type: string };

export async function socket(url: string) {
  const ws = new WebSocket(url);
  const messages: WsMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as WsMessage));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return {
    messages,
    send: (message: object) => ws.send(JSON.stringify(message)),
    /** Waits for the `n`th message (from 1) matching. */
    waitFor: async (match: (m: WsMessage) => boolean, n = 1): Promise<WsMessage> => {
      await until(() => messages.filter(match).length >= n);
      return messages.filter(match)[n - 1];
    },
    close: () => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : (ws.once('close', () => resolve()), ws.close()))),
  };
}
