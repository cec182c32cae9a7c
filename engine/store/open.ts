import { migrate } from './schema/migrate';
import { PostgresDriver, type PostgresOptions } from './sql/postgres';
import { SqliteDriver, type SqliteOptions } from './sql/sqlite';
import type { SqlDriver } from './sql/driver';
import { CadenceStore } from './store';
import type { Clock } from './types';

export type StoreConfig =
	| ({ kind: 'sqlite' } & SqliteOptions)
	| ({ kind: 'postgres' } & PostgresOptions);

/**
 * Opens a store and brings its schema up to date. Call `close()` when done (the trigger does so
 * when its workflow is deactivated).
 */
export async function openStore(
	config: StoreConfig,
	clock: Clock = Date.now,
): Promise<CadenceStore> {
	const driver: SqlDriver =
		config.kind === 'sqlite' ? new SqliteDriver(config) : new PostgresDriver(config);
	try {
		await migrate(driver, clock());
	} catch (error) {
		await driver.close().catch(() => undefined);
		throw error;
	}
	return new CadenceStore(driver, clock);
}
