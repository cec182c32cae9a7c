import { randomBytes } from 'node:crypto';
import type { StoreContext } from './context';

/**
 * What the dashboard's action tokens need from the store, so that every n8n process sharing it
 * (queue mode, multi-main) agrees: one signing secret, and the nonces of tokens already used.
 */

/** The named secret, created on first use; concurrent first uses all get the same one. */
export async function storeSecret(ctx: StoreContext, name: string): Promise<string> {
	const read = async () =>
		ctx.driver.all<{ value: string }>('SELECT value FROM store_secrets WHERE name = ?', [name]);
	const found = await read();
	if (found.length > 0) return found[0].value;
	await ctx.driver.run(
		'INSERT INTO store_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
		[name, randomBytes(32).toString('base64url'), ctx.now()],
	);
	return (await read())[0].value;
}

/**
 * Records that the token with this nonce was used. True the first time; false when it was used
 * before, so a replayed action changes nothing. Nonces of expired tokens are forgotten (an
 * expired token is refused by its signature check anyway).
 */
export async function useActionToken(
	ctx: StoreContext,
	nonce: string,
	expiresAt: number,
): Promise<boolean> {
	const now = ctx.now();
	return ctx.driver.transaction(async (db) => {
		await db.run('DELETE FROM used_action_tokens WHERE expires_at < ?', [now]);
		const { changes } = await db.run(
			`INSERT INTO used_action_tokens (nonce, used_at, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (nonce) DO NOTHING`,
			[nonce, now, expiresAt],
		);
		return changes > 0;
	});
}
