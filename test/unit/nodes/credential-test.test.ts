import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';
import { closeSharedStores } from '../../../engine/store/shared-stores';
import { cadenceStoreTest } from '../../../nodes/shared/credential-test';

const test = (data: Record<string, unknown>) =>
	cadenceStoreTest.call(
		{} as ICredentialTestFunctions,
		{ id: '1', name: 'store', type: 'cadenceStoreApi', data } as ICredentialsDecrypted,
	);

afterAll(async () => closeSharedStores());

describe('Cadence Store credential test', () => {
	it('creates and opens an SQLite store at the given path, folders included', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'cadence-cred-'));
		const result = await test({
			backend: 'sqlite',
			sqlitePath: join(dir, 'nested', 'store.sqlite'),
		});
		expect(result).toEqual({ status: 'OK', message: 'Connected; 0 cadence(s) published.' });
		await closeSharedStores();
		rmSync(dir, { recursive: true, force: true });
	});

	it('reports an unreachable Postgres as an error the user can act on, not a crash', async () => {
		const unreachable = await test({
			backend: 'postgres',
			host: '127.0.0.1',
			port: 1,
			database: 'x',
			user: 'x',
			password: '',
			schema: 'cadence',
		});
		expect(unreachable.status).toBe('Error');
		expect(unreachable.message).toMatch(
			/Could not reach the Postgres cadence store.*Check the host, port/,
		);
	});
});
