import type { SqlDriver } from '../sql/driver';
import { MIGRATIONS, type Migration } from './migrations';

export interface MigrationResult {
	applied: number[];
	version: number;
}

/**
 * Brings the schema up to date. Safe to call from every process at every start: the migration
 * lock makes a second process wait, then find nothing left to do.
 */
export async function migrate(
	driver: SqlDriver,
	now: number,
	migrations: Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
	return driver.withMigrationLock(async (tx) => {
		await tx.run(
			`CREATE TABLE IF NOT EXISTS schema_migrations (
				version INTEGER PRIMARY KEY,
				name TEXT NOT NULL,
				applied_at ${driver.dialect.bigint} NOT NULL
			)`,
		);
		const rows = await tx.all<{ version: number }>('SELECT version FROM schema_migrations');
		const done = new Set(rows.map((r) => Number(r.version)));
		const applied: number[] = [];
		for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
			if (done.has(migration.version)) continue;
			for (const statement of migration.statements(driver.dialect)) await tx.run(statement);
			await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
				migration.version,
				migration.name,
				now,
			]);
			applied.push(migration.version);
		}
		const version = Math.max(0, ...done, ...applied);
		return { applied, version };
	});
}
