import { cadenceDefinitionSchema, type CadenceDefinition } from '../../cadence/definition';
import { CadenceNotFoundError, CadenceStoreError, CadenceValidationError } from '../../errors';
import { toProblems } from '../../validation';
import type { SqlDriver, SqlExecutor, SqlValue } from '../sql/driver';
import type { Clock } from '../types';

/** What every store operation needs: the database, the injected clock, and cached definitions. */
export class StoreContext {
	/** Published versions never change, so a parsed definition can be kept for the process's life. */
	private readonly definitions = new Map<string, CadenceDefinition>();

	constructor(
		readonly driver: SqlDriver,
		readonly clock: Clock,
	) {}

	now(at?: number): number {
		return at ?? this.clock();
	}

	async definition(
		db: SqlExecutor,
		cadenceId: number,
		version: number,
	): Promise<CadenceDefinition> {
		const cacheKey = `${cadenceId}:${version}`;
		const cached = this.definitions.get(cacheKey);
		if (cached) return cached;
		const rows = await db.all<{ definition: string }>(
			'SELECT definition FROM cadence_versions WHERE cadence_id = ? AND version = ?',
			[cadenceId, version],
		);
		if (rows.length === 0)
			throw new CadenceNotFoundError('cadence version', `${cadenceId} v${version}`);
		const definition = storedDefinition(rows[0].definition, cadenceId, version);
		this.definitions.set(cacheKey, definition);
		return definition;
	}

	/**
	 * Resolves a cadence name or id to its id, or fails naming what was asked for. Names may
	 * repeat (two workflows imported from one template): a name shared by several cadences picks
	 * the one whose Follow-up Trigger is in `scope.workflowId` (the workflow asking), and is
	 * refused otherwise, naming the workflows, so no cadence is ever picked by chance.
	 */
	async cadenceId(
		db: SqlExecutor,
		ref: string | number,
		scope: CadenceScope = {},
	): Promise<number> {
		return (await this.cadenceRow(db, ref, scope)).id;
	}

	/** The same, with the cadence's row: its name, latest version and whether it is on. */
	async cadenceRow(
		db: SqlExecutor,
		ref: string | number,
		scope: CadenceScope = {},
	): Promise<CadenceRow> {
		const picked = await pickedFromList(db, ref);
		if (picked !== null) return cadenceRowOf(picked);
		// Prepared: every enroll and claim by name asks this, so it is planned once per connection.
		const rows =
			typeof ref === 'number'
				? await db.allPrepared<NamedRow>(`SELECT ${ROW} FROM cadences WHERE id = ?`, [ref])
				: await db.allPrepared<NamedRow>(`SELECT ${ROW} FROM cadences WHERE name = ? ORDER BY id`, [
						ref,
					]);
		if (rows.length === 0) {
			throw new CadenceNotFoundError(
				'cadence (activate the workflow holding its Follow-up Trigger to publish it)',
				ref,
			);
		}
		if (rows.length === 1) return cadenceRowOf(rows[0]);
		const own = rows.filter((r) => scope.workflowId && r.workflow_id === scope.workflowId);
		if (own.length === 1) return cadenceRowOf(own[0]);
		throw new CadenceValidationError('cadence', [
			{
				field: 'cadence',
				message:
					`${rows.length} cadences are named ${JSON.stringify(ref)} (${rows.map(describeOwner).join(', ')}); ` +
					'pick the one you mean from the list, or give each Follow-up Trigger its own cadence name',
			},
		]);
	}
}

const ROW = 'id, workflow_id, workflow_name, name, latest_version, active';

/** A cadence as enroll needs it. */
export interface CadenceRow {
	id: number;
	name: string;
	latestVersion: number;
	active: boolean;
}

function cadenceRowOf(row: NamedRow): CadenceRow {
	return {
		id: Number(row.id),
		name: row.name,
		latestVersion: Number(row.latest_version),
		active: Number(row.active) === 1,
	};
}

/**
 * The cadence picker lists a name shared by several cadences as "Name #id" (see
 * nodes/shared/cadence-locator.ts). Such a value means that cadence when one has that id and
 * name; otherwise it is taken as a plain name, so a cadence really called "Offer #2" still works.
 */
async function pickedFromList(db: SqlExecutor, ref: string | number): Promise<NamedRow | null> {
	if (typeof ref !== 'string') return null;
	const match = /^(.+) #(\d{1,15})$/.exec(ref);
	if (!match) return null;
	const rows = await db.all<NamedRow>(`SELECT ${ROW} FROM cadences WHERE id = ? AND name = ?`, [
		Number(match[2]),
		match[1],
	]);
	return rows.length > 0 ? rows[0] : null;
}

/** Whose cadences a name refers to first: the workflow asking (its own Follow-up Trigger). */
export interface CadenceScope {
	workflowId?: string;
}

interface NamedRow {
	id: number;
	workflow_id: string | null;
	workflow_name: string | null;
	name: string;
	latest_version: number;
	active: number;
}

function describeOwner(row: NamedRow): string {
	if (row.workflow_id === null) return `id ${row.id}, published without a workflow`;
	const name = row.workflow_name ? `"${row.workflow_name}" ` : '';
	return `id ${row.id}, in workflow ${name}(${row.workflow_id})`;
}

/** `(?, ?, ?), (?, ?, ?)` for a multi-row INSERT. */
export function valuesList(rows: number, columns: number): string {
	const row = `(${new Array(columns).fill('?').join(', ')})`;
	return new Array(rows).fill(row).join(', ');
}

/** `?, ?, ?` for an IN list. */
export function placeholders(count: number): string {
	return new Array(count).fill('?').join(', ');
}

/** Splits work so that no statement exceeds the dialect's bind-parameter limit. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
	const chunks: T[][] = [];
	for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
	return chunks;
}

export async function appendEvents(
	db: SqlExecutor,
	events: Array<{
		enrollmentId: number;
		stepRunId?: number | null;
		type: string;
		at: number;
		detail?: unknown;
	}>,
	maxParams: number,
): Promise<void> {
	for (const part of chunk(events, Math.floor(maxParams / 5))) {
		if (part.length === 0) continue;
		const params: SqlValue[] = [];
		for (const e of part) {
			params.push(
				e.enrollmentId,
				e.stepRunId ?? null,
				e.type,
				e.at,
				e.detail === undefined || e.detail === null ? null : JSON.stringify(e.detail),
			);
		}
		await db.run(
			`INSERT INTO events (enrollment_id, step_run_id, type, at, detail) VALUES ${valuesList(part.length, 5)}`,
			params,
		);
	}
}

/**
 * A published definition read back through the same schema that checked it when it was written,
 * so a version stored by an older release gets the defaults of fields added since (it keeps
 * working after an upgrade), and a damaged row fails here, by name, instead of deep in a send.
 */
export function storedDefinition(json: string, cadenceId: number, version: number) {
	let raw: unknown;
	try {
		raw = JSON.parse(json);
	} catch {
		raw = undefined;
	}
	const parsed = cadenceDefinitionSchema.safeParse(raw);
	if (parsed.success) return parsed.data;
	const problems = raw === undefined ? 'it is not JSON' : problemList(parsed.error);
	throw new CadenceStoreError(
		`The stored definition of cadence ${cadenceId} version ${version} cannot be read (${problems}). ` +
			'Activate the workflow holding its Follow-up Trigger again to publish a valid version; ' +
			'enrollments pinned to this version cannot continue until then.',
	);
}

function problemList(error: Parameters<typeof toProblems>[0]): string {
	return toProblems(error)
		.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message))
		.join('; ');
}
