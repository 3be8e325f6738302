/**
 * The AI SDK's tool approval signature (`experimental_toolApprovalSecret`), with Web Crypto so it
 * runs in browsers, Node and edge runtimes alike: HMAC-SHA256 over
 * `approvalId \n toolCallId \n toolName \n base64url(SHA-256(canonical JSON of the input))`,
 * base64url without padding. It binds the approval to the call and its input: a client that
 * changes either is refused (decision 0198).
 */

/** What a signature covers. */
export interface SignedApproval {
  readonly approvalId: string;
  readonly toolCallId: string;
  readonly toolName: string;
  readonly input: unknown;
}

/** A secret for HMAC-SHA256: text (UTF-8) or bytes. */
export type ApprovalSecret = string | Uint8Array;

const encoder = new TextEncoder();

/** JSON with object keys sorted at every level (what both sides hash). */
export function canonicalJSON(value: unknown): string {
  if (value === null || value === undefined || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${canonicalJSON(record[k])}`).join(',')}}`;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/g, '');
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function payloadOf(approval: SignedApproval): Promise<Uint8Array> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(canonicalJSON(approval.input))));
  return encoder.encode(`${approval.approvalId}\n${approval.toolCallId}\n${approval.toolName}\n${base64url(digest)}`);
}

function keyOf(secret: ApprovalSecret, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  const bytes = typeof secret === 'string' ? encoder.encode(secret) : secret;
  return crypto.subtle.importKey('raw', bytes as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

/** The signature of an approval request. */
export async function signApproval(secret: ApprovalSecret, approval: SignedApproval): Promise<string> {
  const signature = await crypto.subtle.sign('HMAC', await keyOf(secret, 'sign'), (await payloadOf(approval)) as BufferSource);
  return base64url(new Uint8Array(signature));
}

/** True when `signature` signs this approval with `secret`. */
export async function verifyApproval(secret: ApprovalSecret, signature: string, approval: SignedApproval): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64url(signature);
  } catch {
    return false;
  }
  return crypto.subtle.verify('HMAC', await keyOf(secret, 'verify'), bytes as BufferSource, (await payloadOf(approval)) as BufferSource);
}
