import { z } from 'zod/v4';
import {
	cadenceDefinitionSchema,
	type CadenceDefinition,
	type CadenceDefinitionInput,
} from '../../cadence/definition';
import { contentHash } from '../../cadence/content-hash';
import { CadenceNotFoundError } from '../../errors';
import { parseOrThrow } from '../../validation';
import type { SqlExecutor } from '../sql/driver';
import type { CadenceOwner, CadenceSummary, PublishedCadence } from '../types';
import type { StoreContext } from './context';
import { foldForSearch, foldedQuery } from '../search-text';
import { writeCadenceSearchName } from './search';

interface CadenceRow {
	id: number;
	name: string;
	latest_version: number;
	active: number;
	updated_at: number;
	workflow_id: string | null;
	workflow_name: string | null;
}

const ownerSchema = z.object({
	workflowId: z.string().trim().min(1, 'give the workflow id').max(200),
	nodeId: z.string().trim().min(1, 'give the Follow-up Trigger node id').max(200),
	workflowName: z.string().max(500).optional(),
});

/**
 * Publishes a definition. A new version is created only when the content changed; enrollments
 * keep the version they started on. The active switch is stored on the cadence itself.
 *
 * With an owner (the Follow-up Trigger: workflow id + node id), the cadence is that trigger's,
 * whatever its name: renaming it keeps its enrollments, and a second workflow with the same name
 * gets a cadence of its own. Without one, the name is the key (as before owners existed).
 */
export async function publishCadence(
	ctx: StoreContext,
	input: CadenceDefinitionInput,
	ownerInput?: CadenceOwner,
): Promise<PublishedCadence> {
	const definition = parseOrThrow(cadenceDefinitionSchema, input, 'cadence definition');
	const owner =
		ownerInput === undefined ? null : parseOrThrow(ownerSchema, ownerInput, 'cadence owner');
	const hash = contentHash(definition);
	const now = ctx.now();
	return ctx.driver.transaction(async (db) => {
		const cadence = owner
			? await ownedRow(ctx, db, definition, owner, now)
			: await unownedRow(ctx, db, definition, now);
		const cadenceId = Number(cadence.id);
		await db.run('UPDATE cadences SET name = ?, active = ?, updated_at = ? WHERE id = ?', [
			definition.name,
			definition.active ? 1 : 0,
			now,
			cadenceId,
		]);
		await writeCadenceSearchName(db, cadenceId, definition.name);
		const latest = await db.all<{
			version: number;
			content_hash: string;
			definition: string;
			published_at: number;
		}>(
			`SELECT version, content_hash, definition, published_at FROM cadence_versions
			WHERE cadence_id = ? ORDER BY version DESC LIMIT 1`,
			[cadenceId],
		);
		if (latest.length > 0 && (await sameContent(ctx, db, cadenceId, latest[0], hash))) {
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

/**
 * The stored hash, or the hash of the stored definition as this release reads it: a version
 * written before a field was added gets its default, which is no change of content, so
 * re-activating after an upgrade does not publish a version that differs in nothing.
 */
async function sameContent(
	ctx: StoreContext,
	db: SqlExecutor,
	cadenceId: number,
	latest: { version: number; content_hash: string },
	hash: string,
): Promise<boolean> {
	if (latest.content_hash === hash) return true;
	try {
		return contentHash(await ctx.definition(db, cadenceId, Number(latest.version))) === hash;
	} catch {
		return false;
	}
}

/** The trigger's own cadence, locked; adopts a cadence of that name published without owner. */
async function ownedRow(
	ctx: StoreContext,
	db: SqlExecutor,
	definition: CadenceDefinition,
	owner: z.output<typeof ownerSchema>,
	now: number,
): Promise<CadenceRow> {
	const { lockRow } = ctx.driver.dialect;
	const workflowName = owner.workflowName ?? null;
	// Cadences published before owners existed (or through the API) belong to the first trigger
	// that publishes their name, so an upgrade keeps every running enrollment going.
	await db.run(
		`UPDATE cadences SET workflow_id = ?, node_id = ?, workflow_name = ?
		WHERE id = (SELECT MIN(id) FROM cadences WHERE name = ? AND workflow_id IS NULL)
		AND NOT EXISTS (SELECT 1 FROM cadences WHERE workflow_id = ? AND node_id = ?)`,
		[owner.workflowId, owner.nodeId, workflowName, definition.name, owner.workflowId, owner.nodeId],
	);
	// Insert-if-missing then lock the row: two processes publishing at once queue up here.
	await db.run(
		`INSERT INTO cadences (name, latest_version, active, created_at, updated_at, workflow_id,
			node_id, workflow_name)
		VALUES (?, 0, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workflow_id, node_id) WHERE workflow_id IS NOT NULL DO NOTHING`,
		[
			definition.name,
			definition.active ? 1 : 0,
			now,
			now,
			owner.workflowId,
			owner.nodeId,
			workflowName,
		],
	);
	const [row] = await db.all<CadenceRow>(
		`SELECT * FROM cadences WHERE workflow_id = ? AND node_id = ?${lockRow}`,
		[owner.workflowId, owner.nodeId],
	);
	if (workflowName !== null && row.workflow_name !== workflowName) {
		await db.run('UPDATE cadences SET workflow_name = ? WHERE id = ?', [workflowName, row.id]);
	}
	return row;
}

/** A cadence published without an owner: its name is its key. */
async function unownedRow(
	ctx: StoreContext,
	db: SqlExecutor,
	definition: CadenceDefinition,
	now: number,
): Promise<CadenceRow> {
	await db.run(
		`INSERT INTO cadences (name, latest_version, active, created_at, updated_at)
		VALUES (?, 0, ?, ?, ?) ON CONFLICT (name) WHERE workflow_id IS NULL DO NOTHING`,
		[definition.name, definition.active ? 1 : 0, now, now],
	);
	const [row] = await db.all<CadenceRow>(
		`SELECT * FROM cadences WHERE name = ? AND workflow_id IS NULL${ctx.driver.dialect.lockRow}`,
		[definition.name],
	);
	return row;
}

export async function getCadence(
	ctx: StoreContext,
	ref: string | number,
	version?: number,
): Promise<PublishedCadence | null> {
	const db = ctx.driver;
	let id: number;
	try {
		id = await ctx.cadenceId(db, ref);
	} catch (error) {
		if (error instanceof CadenceNotFoundError) return null;
		throw error;
	}
	// One read for the cadence and its version's row; the definition itself is immutable, so it
	// comes from the context's cache after the first time (Exit Check asks once per item).
	const rows = await db.all<{ id: number; active: number; version: number; published_at: number }>(
		`SELECT c.id, c.active, v.version, v.published_at FROM cadences c
		JOIN cadence_versions v ON v.cadence_id = c.id AND v.version = COALESCE(?, c.latest_version)
		WHERE c.id = ?`,
		[version ?? null, id],
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
	// Cadences are few: matched and sorted here, folded in JavaScript, so "été" finds "Relances
	// Été" and the order is the same on SQLite and Postgres (whose LOWER and collation differ).
	const search = foldedQuery(options.search);
	const all = await ctx.driver.all<CadenceRow & { shared: number }>(
		`SELECT c.*, (SELECT COUNT(*) FROM cadences o WHERE o.name = c.name) AS shared
		FROM cadences c`,
	);
	const rows = all
		.filter((r) => !search || foldForSearch(r.name).includes(search))
		.sort((a, b) => a.name.localeCompare(b.name, 'en') || Number(a.id) - Number(b.id))
		.slice(0, options.limit ?? 100);
	return rows.map((r) => ({
		id: Number(r.id),
		name: r.name,
		latestVersion: Number(r.latest_version),
		active: Number(r.active) === 1,
		updatedAt: Number(r.updated_at),
		workflowId: r.workflow_id ?? null,
		workflowName: r.workflow_name ?? null,
		nameShared: Number(r.shared) > 1,
	}));
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
