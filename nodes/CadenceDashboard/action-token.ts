import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The token every action form of a page carries. It is signed with the store's dashboard secret,
 * names the user the page was made for and what the page may change (one enrollment, or the
 * stuck list), and expires. The store remembers each used nonce, so a token works once: a
 * replayed or forged form changes nothing. Basic Auth alone cannot stop another site from
 * posting a form with the browser's remembered login; this token can.
 */

export const TOKEN_LIFETIME_MS = 30 * 60 * 1000;

/** The store's secret the tokens are signed with (shared by every n8n process). */
export const SECRET_NAME = 'dashboard-actions';

export interface TokenClaims {
	nonce: string;
	expiresAt: number;
	user: string;
	/** `enrollment:<id>` or `stuck`. */
	scope: string;
}

function signature(secret: string, payload: string): string {
	return createHmac('sha256', secret).update(payload).digest('base64url');
}

function encode(claims: TokenClaims): string {
	return Buffer.from(
		JSON.stringify([claims.nonce, claims.expiresAt, claims.user, claims.scope]),
	).toString('base64url');
}

export function issueToken(
	secret: string,
	user: string,
	scope: string,
	now: number,
): { token: string; claims: TokenClaims } {
	const claims = {
		nonce: randomBytes(16).toString('base64url'),
		expiresAt: now + TOKEN_LIFETIME_MS,
		user,
		scope,
	};
	const payload = encode(claims);
	return { token: `${payload}.${signature(secret, payload)}`, claims };
}

export type TokenCheck =
	| { ok: true; claims: TokenClaims }
	| { ok: false; problem: 'malformed' | 'forged' | 'expired' | 'wrongUser' | 'wrongScope' };

/** Checks signature, expiry, user and scope; the caller then spends the nonce in the store. */
export function checkToken(
	secret: string,
	token: unknown,
	expected: { user: string; scope: string; now: number },
): TokenCheck {
	if (typeof token !== 'string' || token.length > 2000) return { ok: false, problem: 'malformed' };
	const [payload, sig, ...rest] = token.split('.');
	if (!payload || !sig || rest.length > 0) return { ok: false, problem: 'malformed' };
	const wanted = Buffer.from(signature(secret, payload));
	const given = Buffer.from(sig);
	if (wanted.length !== given.length || !timingSafeEqual(wanted, given)) {
		return { ok: false, problem: 'forged' };
	}
	let parts: unknown;
	try {
		parts = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
	} catch {
		return { ok: false, problem: 'malformed' };
	}
	if (!Array.isArray(parts) || parts.length !== 4) return { ok: false, problem: 'malformed' };
	const [nonce, expiresAt, user, scope] = parts as [string, number, string, string];
	if (typeof expiresAt !== 'number' || expiresAt < expected.now) {
		return { ok: false, problem: 'expired' };
	}
	if (user !== expected.user) return { ok: false, problem: 'wrongUser' };
	if (scope !== expected.scope) return { ok: false, problem: 'wrongScope' };
	return { ok: true, claims: { nonce: String(nonce), expiresAt, user, scope } };
}
