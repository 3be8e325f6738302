/**
 * Terminal helpers of the CLI and the demos, one file per job: colours
 * (`colors.ts`), control characters (`control.ts`), display width (`width.ts`),
 * the status line (`statusLine.ts`) and lanes (`lanes.ts`). Everything writes to
 * a stream you pass and nothing is buffered; escape sequences are only written
 * when the stream is a TTY, and text from outside goes through `safeText`.
 */
export type { TerminalOutput } from './output';
export { supportsColor, createColors } from './colors';
export type { Colors, Style } from './colors';
export { safeText, stripAnsi } from './control';
export { displayWidth, fitToWidth } from './width';
export { createStatusLine } from './statusLine';
export type { StatusLine } from './statusLine';
export { createLanes } from './lanes';
export type { Lanes, LanesOptions } from './lanes';
export { createPromptOutput } from './promptOutput';
export type { PromptOutput } from './promptOutput';
