import { createHash, timingSafeEqual } from 'node:crypto';
import type { IWebhookFunctions } from 'n8n-workflow';

/**
 * Who may open the dashboard: checked on every request, before anything is read from the store.
 * The same options as n8n's Webhook node (Basic Auth and Header Auth credentials), so a user
 * meets nothing new; "none" exists for n8n instances behind a private network only.
 */

export type Authentication = 'basicAuth' | 'headerAuth' | 'none';

export type Access =
	| { ok: true; user: string }
	/** `challenge`: ask the browser for a login (Basic Auth); `setup`: the node lacks a credential. */
	| { ok: false; reason: 'challenge' | 'denied' | 'setup' };

/** Compares secrets in constant time, whatever their lengths. */
function same(given: string, expected: string): boolean {
	const a = createHash('sha256').update(given).digest();
	const b = createHash('sha256').update(expected).digest();
	return timingSafeEqual(a, b) && given.length === expected.length;
}

export function parseBasicAuth(
	header: string | undefined,
): { user: string; password: string } | null {
	const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
	if (!match) return null;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return null;
	return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function checkAccess(
	context: IWebhookFunctions,
	authentication: Authentication,
): Promise<Access> {
	const headers = context.getHeaderData() as Record<string, string | undefined>;
	if (authentication === 'none') return { ok: true, user: 'someone without a login' };
	if (authentication === 'basicAuth') {
		const expected = await credential(context, 'httpBasicAuth');
		if (!expected) return { ok: false, reason: 'setup' };
		const wantedUser = String(expected.user ?? '');
		const wantedPassword = String(expected.password ?? '');
		if (!wantedUser && !wantedPassword) return { ok: false, reason: 'setup' };
		const given = parseBasicAuth(headers.authorization);
		if (!given) return { ok: false, reason: 'challenge' };
		const match = same(given.user, wantedUser) && same(given.password, wantedPassword);
		return match ? { ok: true, user: given.user } : { ok: false, reason: 'challenge' };
	}
	const expected = await credential(context, 'httpHeaderAuth');
	const name = String(expected?.name ?? '').toLowerCase();
	if (!expected || !name) return { ok: false, reason: 'setup' };
	const given = headers[name];
	if (typeof given !== 'string' || !same(given, String(expected.value ?? ''))) {
		return { ok: false, reason: 'denied' };
	}
	// A header proves the request came through the proxy, not who sent it: the credential's name
	// (e.g. "Office proxy") is what the timeline can say.
	const credentialName = context.getNode().credentials?.httpHeaderAuth?.name;
	return { ok: true, user: credentialName || name };
}

async function credential(context: IWebhookFunctions, type: string) {
	if (!context.getNode().credentials?.[type]) return null;
	try {
		return await context.getCredentials(type);
	} catch {
		return null;
	}
}
