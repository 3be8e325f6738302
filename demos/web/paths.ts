/** Paths the web demo's server and its page both use (imported by each, so they cannot drift). */

/** Where the 智能体协议 mode's `useStream` finds the Agent Streaming Protocol (its `apiUrl`, on the page's origin). */
export const AGENT_PROTOCOL_PATH = '/api/agent';
