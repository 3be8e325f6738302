/**
 * Control characters: what the model writes must never drive the terminal.
 * `safeText` is for text from outside (model replies, provider error messages,
 * the history file); `stripAnsi` removes our own styling before measuring.
 */
import { assertString } from './output';

// CSI (ESC [ … final), OSC (ESC ] … BEL / ST) and two-character escapes such as ESC 7.
const ANSI_PATTERN = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_7-8]/g;

/**
 * Removes complete ANSI escape sequences (colours, cursor movement) from `text`.
 * For our own styled strings; untrusted text goes through {@link safeText}.
 *
 * @example
 * ```ts
 * stripAnsi('\x1b[32mok\x1b[39m'); // 'ok'
 * ```
 */
export function stripAnsi(text: string): string {
  assertString('stripAnsi: text', text);
  return text.replace(ANSI_PATTERN, '');
}

// Every C0 control but \t and \n, DEL, every C1 control (U+0080–U+009F: 8-bit CSI, OSC, …), and
// the bidi controls that reorder what is shown (Trojan Source): the Arabic letter mark U+061C,
// LRM/RLM U+200E–U+200F, embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const HAS_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function picture(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code === 0x0d) return ''; // \r: CRLF becomes LF; a lone \r could overwrite the line
  if (code >= 0x0600) return ''; // a bidi control: removed, the text reads in stored order
  if (code < 0x20) return String.fromCharCode(0x2400 + code); // U+2400 control pictures: ESC → ␛
  if (code === 0x7f) return '\u2421'; // ␡
  return '\ufffd'; // a C1 control has no picture
}

/**
 * Text from outside (a model's reply, a provider's error message, the history
 * file) made safe for a terminal: every C0 control except `\n` and `\t`, DEL
 * and every C1 control is replaced by a visible symbol (ESC shows as `␛`, so
 * `ESC[2J` is printed as `␛[2J` instead of clearing the screen; C1 as `�`) and
 * `\r` and the bidi controls (U+061C, U+200E–U+200F, U+202A–U+202E,
 * U+2066–U+2069, which can make text read differently from what it is) are
 * dropped. Character by character, so a sequence split across stream
 * chunks is neutralized just the same.
 *
 * @example
 * ```ts
 * safeText('title\x1b]0;pwned\x07 ok'); // 'title␛]0;pwned␇ ok'
 * ```
 */
export function safeText(text: string): string {
  assertString('safeText: text', text);
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, picture) : text;
}
