import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openStore, type StoreConfig } from '../../engine/store/open';
import type { CadenceStore } from '../../engine/store/store';
import type { Clock } from '../../engine/store/types';

export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

export function postgresUrl(): string {
	const url = process.env.CADENCE_TEST_PG_URL;
	// Set by the store project's global setup; without it the Postgres half must fail, not skip.
	if (!url)
		throw new Error('CADENCE_TEST_PG_URL is not set: run store tests with `npm run test:store`.');
	return url;
}

/** A fresh, empty store location: a new SQLite file, or a new Postgres schema. */
export interface Location {
	config: StoreConfig;
	dispose(): Promise<void>;
}

export function freshLocation(backend: Backend): Location {
	if (backend === 'sqlite') {
		const dir = mkdtempSync(join(tmpdir(), 'cadence-store-'));
		return {
			config: { kind: 'sqlite', path: join(dir, 'cadence.sqlite') },
			dispose: async () => rmSync(dir, { recursive: true, force: true }),
		};
	}
	const schema = `t_${randomBytes(6).toString('hex')}`;
	return {
		config: { kind: 'postgres', connectionString: postgresUrl(), schema, poolSize: 4 },
		dispose: async () => {
			const client = new Client({ connectionString: postgresUrl() });
			await client.connect();
			await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
			await client.end();
		},
	};
}

export interface TestStore {
	store: CadenceStore;
	location: Location;
	dispose(): Promise<void>;
}

export async function freshStore(backend: Backend, clock: Clock): Promise<TestStore> {
	const location = freshLocation(backend);
	const store = await openStore(location.config, clock);
	return {
		store,
		location,
		dispose: async () => {
			await store.close().catch(() => undefined);
			await location.dispose();
		},
	};
}
