import type { CadenceDefinition } from '../../cadence/definition';
import { CadenceNotFoundError } from '../../errors';
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
		const definition = JSON.parse(rows[0].definition) as CadenceDefinition;
		this.definitions.set(cacheKey, definition);
		return definition;
	}

	/** Resolves a cadence name or id to its id, or fails naming what was asked for. */
	async cadenceId(db: SqlExecutor, ref: string | number): Promise<number> {
		const rows =
			typeof ref === 'number'
				? await db.all<{ id: number }>('SELECT id FROM cadences WHERE id = ?', [ref])
				: await db.all<{ id: number }>('SELECT id FROM cadences WHERE name = ?', [ref]);
		if (rows.length === 0) {
			throw new CadenceNotFoundError(
				'cadence (activate the workflow holding its Follow-up Trigger to publish it)',
				ref,
			);
		}
		return Number(rows[0].id);
	}
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
