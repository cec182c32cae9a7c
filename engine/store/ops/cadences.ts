import {
	cadenceDefinitionSchema,
	type CadenceDefinition,
	type CadenceDefinitionInput,
} from '../../cadence/definition';
import { contentHash } from '../../cadence/content-hash';
import { parseOrThrow } from '../../validation';
import type { CadenceSummary, PublishedCadence } from '../types';
import type { StoreContext } from './context';

interface CadenceRow {
	id: number;
	name: string;
	latest_version: number;
	active: number;
	updated_at: number;
}

/**
 * Publishes a definition. A new version is created only when the content changed; enrollments
 * keep the version they started on. The active switch is stored on the cadence itself.
 */
export async function publishCadence(
	ctx: StoreContext,
	input: CadenceDefinitionInput,
): Promise<PublishedCadence> {
	const definition = parseOrThrow(cadenceDefinitionSchema, input, 'cadence definition');
	const hash = contentHash(definition);
	const now = ctx.now();
	return ctx.driver.transaction(async (db) => {
		// Insert-if-missing then lock the row: two processes publishing at once queue up here.
		await db.run(
			`INSERT INTO cadences (name, latest_version, active, created_at, updated_at)
			VALUES (?, 0, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			[definition.name, definition.active ? 1 : 0, now, now],
		);
		const [cadence] = await db.all<CadenceRow>(
			`SELECT * FROM cadences WHERE name = ?${ctx.driver.dialect.lockRow}`,
			[definition.name],
		);
		const cadenceId = Number(cadence.id);
		await db.run('UPDATE cadences SET active = ?, updated_at = ? WHERE id = ?', [
			definition.active ? 1 : 0,
			now,
			cadenceId,
		]);
		const latest = await db.all<{ version: number; content_hash: string; published_at: number }>(
			`SELECT version, content_hash, published_at FROM cadence_versions
			WHERE cadence_id = ? ORDER BY version DESC LIMIT 1`,
			[cadenceId],
		);
		if (latest.length > 0 && latest[0].content_hash === hash) {
			const { version, published_at: publishedAt } = latest[0];
			return toPublished(cadenceId, definition, Number(version), Number(publishedAt), false);
		}
		const version = (latest.length > 0 ? Number(latest[0].version) : 0) + 1;
		await db.run('UPDATE cadences SET latest_version = ? WHERE id = ?', [version, cadenceId]);
		await db.run(
			`INSERT INTO cadence_versions (cadence_id, version, content_hash, definition, published_at)
			VALUES (?, ?, ?, ?, ?)`,
			[cadenceId, version, hash, JSON.stringify(definition), now],
		);
		return toPublished(cadenceId, definition, version, now, true);
	});
}

export async function getCadence(
	ctx: StoreContext,
	ref: string | number,
	version?: number,
): Promise<PublishedCadence | null> {
	const db = ctx.driver;
	// One read for the cadence and its version's row; the definition itself is immutable, so it
	// comes from the context's cache after the first time (Exit Check asks once per item).
	const rows = await db.all<{ id: number; active: number; version: number; published_at: number }>(
		`SELECT c.id, c.active, v.version, v.published_at FROM cadences c
		JOIN cadence_versions v ON v.cadence_id = c.id AND v.version = COALESCE(?, c.latest_version)
		WHERE ${typeof ref === 'number' ? 'c.id' : 'c.name'} = ?`,
		[version ?? null, ref],
	);
	if (rows.length === 0) return null;
	const [row] = rows;
	const definition = await ctx.definition(db, Number(row.id), Number(row.version));
	const published = toPublished(
		Number(row.id),
		definition,
		Number(row.version),
		Number(row.published_at),
		false,
	);
	return { ...published, active: Number(row.active) === 1 };
}

export async function listCadences(
	ctx: StoreContext,
	options: { search?: string; limit?: number } = {},
): Promise<CadenceSummary[]> {
	const search = (options.search ?? '').trim().toLowerCase();
	const rows = await ctx.driver.all<CadenceRow>(
		`SELECT * FROM cadences WHERE LOWER(name) LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?`,
		[`%${escapeLike(search)}%`, options.limit ?? 100],
	);
	return rows.map((r) => ({
		id: Number(r.id),
		name: r.name,
		latestVersion: Number(r.latest_version),
		active: Number(r.active) === 1,
		updatedAt: Number(r.updated_at),
	}));
}

/** LIKE treats % and _ as wildcards; a user searching for "50%" means the characters. */
export function escapeLike(text: string): string {
	return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toPublished(
	id: number,
	definition: CadenceDefinition,
	version: number,
	publishedAt: number,
	created: boolean,
): PublishedCadence {
	return {
		id,
		name: definition.name,
		version,
		active: definition.active,
		definition,
		publishedAt,
		created,
	};
}
