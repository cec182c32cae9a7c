import { existsSync } from 'node:fs';
import type { StoreConfig } from '../../../engine/store/open';
import type { SqlDriver, SqlValue } from '../../../engine/store/sql/driver';
import { rawDriver } from '../../support/raw-sql';
import { WAITING_DUE_AT } from '../../../engine/store/ops/due-queue';

export interface EnrollmentRow {
	id: number;
	cadence: string;
	contact_key: string;
	state: string;
	exit_reason: string | null;
	cycle: number;
	next_step: number;
	next_due_at: number | null;
	next_reason: string | null;
	last_sent_at: number | null;
}

export interface StepRunRow {
	id: number;
	enrollment_id: number;
	contact_key: string;
	step_index: number;
	cycle: number;
	status: string;
	claims: number;
	due_at: number;
	sent_at: number | null;
}

/** How many ids one UPDATE of makeDue names. */
const IDS_PER_STATEMENT = 10_000;

/**
 * Looks straight into the cadence store a running n8n uses (its SQLite file, or the Postgres
 * schema of its Cadence Store credential): what was enrolled, claimed and sent. And it is the
 * test's clock: `makeDue` moves due times to now instead of waiting days. It never migrates; the
 * store exists once a cadence node has used it.
 */
export class StoreProbe {
	private driver: SqlDriver | null = null;

	constructor(private readonly config: StoreConfig) {}

	static sqlite(path: string): StoreProbe {
		return new StoreProbe({ kind: 'sqlite', path });
	}

	static postgres(connectionString: string, schema = 'cadence'): StoreProbe {
		return new StoreProbe({ kind: 'postgres', connectionString, schema, poolSize: 2 });
	}

	private db(): SqlDriver {
		if (this.config.kind === 'sqlite' && !existsSync(this.config.path)) {
			throw new Error(`No cadence store at ${this.config.path} yet: has a cadence node run?`);
		}
		this.driver ??= rawDriver(this.config);
		return this.driver;
	}

	async enrollments(cadence: string): Promise<EnrollmentRow[]> {
		const rows = await this.db().all<EnrollmentRow>(
			`SELECT e.id, c.name AS cadence, e.contact_key, e.state, e.exit_reason, e.cycle, e.next_step,
				${WAITING_DUE_AT} AS next_due_at, e.next_reason, e.last_sent_at
			FROM enrollments e JOIN cadences c ON c.id = e.cadence_id
			WHERE c.name = ? ORDER BY e.contact_key`,
			[cadence],
		);
		return rows.map(numbers);
	}

	async enrollment(cadence: string, contactKey: string): Promise<EnrollmentRow> {
		const row = (await this.enrollments(cadence)).find((e) => e.contact_key === contactKey);
		if (!row) throw new Error(`${contactKey} is not enrolled in "${cadence}"`);
		return row;
	}

	async stepRuns(cadence: string): Promise<StepRunRow[]> {
		const rows = await this.db().all<StepRunRow>(
			`SELECT r.id, r.enrollment_id, e.contact_key, r.step_index, r.cycle, r.status, r.claims,
				r.due_at, r.sent_at
			FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
			JOIN cadences c ON c.id = r.cadence_id
			WHERE c.name = ? ORDER BY e.contact_key, r.cycle, r.step_index, r.id`,
			[cadence],
		);
		return rows.map(numbers);
	}

	async eventTypes(enrollmentId: number): Promise<string[]> {
		const rows = await this.db().all<{ type: string }>(
			'SELECT type FROM events WHERE enrollment_id = ? ORDER BY id',
			[enrollmentId],
		);
		return rows.map((r) => r.type);
	}

	/**
	 * Time travel: every waiting step of the cadence (or of the given contacts) falls due now, as
	 * if its wait had passed. Returns how many enrollments moved.
	 */
	async makeDue(cadence: string, contactKeys?: string[], at = Date.now() - 1000): Promise<number> {
		const params: SqlValue[] = [cadence];
		let where = `${WAITING_DUE_AT} IS NOT NULL AND e.cadence_id = (SELECT id FROM cadences WHERE name = ?)`;
		if (contactKeys) {
			where += ` AND e.contact_key IN (${contactKeys.map(() => '?').join(', ')})`;
			params.push(...contactKeys);
		}
		// A waiting step is a due-queue row plus its mirror on the enrollment: both move together.
		return this.db().transaction(async (tx) => {
			const ids = (
				await tx.all<{ id: number }>(`SELECT e.id FROM enrollments e WHERE ${where}`, params)
			).map((r) => Number(r.id));
			// SQLite takes at most 32,766 parameters a statement: a big backlog moves in slices.
			for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
				const slice = ids.slice(i, i + IDS_PER_STATEMENT);
				const list = slice.map(() => '?').join(', ');
				await tx.run(`UPDATE due_steps SET due_at = ? WHERE enrollment_id IN (${list})`, [
					at,
					...slice,
				]);
				await tx.run(`UPDATE enrollments SET next_due_at = ? WHERE id IN (${list})`, [
					at,
					...slice,
				]);
			}
			return ids.length;
		});
	}

	async close(): Promise<void> {
		await this.driver?.close();
		this.driver = null;
	}
}

/** Postgres returns BIGINT columns as strings; the tests compare numbers. */
function numbers<T>(row: T): T {
	const out: Record<string, unknown> = { ...(row as Record<string, unknown>) };
	for (const [key, value] of Object.entries(out)) {
		if (
			typeof value === 'string' &&
			/^-?\d+$/.test(value) &&
			!/key|cadence|status|state|reason/.test(key)
		)
			out[key] = Number(value);
	}
	return out as T;
}
