import { CadenceStoreError } from '../../errors';
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
		refuseNewerStore(done, migrations);
		const applied: number[] = [];
		for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
			if (done.has(migration.version)) continue;
			for (const statement of migration.statements(driver.dialect)) await tx.run(statement);
			await migration.after?.(tx, now);
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

/**
 * A store migrated by a newer release of the package has tables this code does not know how to
 * keep consistent (a column it would leave unset, a rule it would not apply). Writing to it could
 * corrupt it for the newer processes, so every process must run the same release.
 */
function refuseNewerStore(done: ReadonlySet<number>, migrations: Migration[]): void {
	const known = Math.max(0, ...migrations.map((m) => m.version));
	const newest = Math.max(0, ...done);
	if (newest <= known) return;
	throw new CadenceStoreError(
		`The cadence store was upgraded by a newer version of n8n-nodes-cadence (schema version ` +
			`${newest}; this one knows up to ${known}). Upgrade the package on every n8n process ` +
			'that uses this store, then restart them.',
	);
}
