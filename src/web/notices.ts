/**
 * The dashboard's notices (post/redirect/get): an operation's outcome travels in the redirect's query, signed with a
 * key derived from ADMIN_PASSWORD, so a crafted link cannot make the dashboard show its own text ("session expired,
 * log in at …").
 */
import type { Context } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { Env } from '../env';
import { asSqsError } from '../protocol/wire';
import { toHex } from '../shared/bytes';

type Kind = 'notice' | 'error';

async function noticeSignature(env: Env, kind: Kind, text: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(`sqsflare-notice\n${env.ADMIN_PASSWORD ?? ''}`), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${kind}\n${text}`)));
  return toHex(mac.subarray(0, 16));
}

export async function redirectWith(c: Context<{ Bindings: Env }>, to: string, kind: Kind, text: string): Promise<Response> {
  const sig = await noticeSignature(c.env, kind, text);
  return c.redirect(`${to}?${kind}=${encodeURIComponent(text)}&sig=${sig}`, 303);
}

/** The notice or error in the query, if this dashboard wrote it; anything else is not shown. */
export async function verifiedNotice(c: Context<{ Bindings: Env }>): Promise<{ notice?: string; error?: string }> {
  const sig = c.req.query('sig') ?? '';
  const out: { notice?: string; error?: string } = {};
  for (const kind of ['notice', 'error'] as const) {
    const text = c.req.query(kind);
    if (text !== undefined && (await timingSafeEqual(sig, await noticeSignature(c.env, kind, text)))) out[kind] = text;
  }
  return out;
}

/** Runs an operation and comes back to `to` with its notice, or with the error it threw. */
export async function operate(c: Context<{ Bindings: Env }>, to: string, work: () => Promise<string>): Promise<Response> {
  try {
    return await redirectWith(c, to, 'notice', await work());
  } catch (error) {
    return redirectWith(c, to, 'error', asSqsError(error).message);
  }
}
