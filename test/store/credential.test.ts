import { Client } from 'pg';
import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';
import { closeSharedStores } from '../../engine/store/shared-stores';
import { cadenceStoreTest } from '../../nodes/shared/credential-test';
import { postgresUrl } from '../support/backends';

afterAll(async () => closeSharedStores());

it('the Cadence Store credential test connects to a real Postgres and creates its schema', async () => {
	const url = new URL(postgresUrl());
	const schema = `cred_${Date.now().toString(36)}`;
	const data = {
		backend: 'postgres',
		host: url.hostname,
		port: Number(url.port || 5432),
		database: url.pathname.slice(1),
		user: decodeURIComponent(url.username),
		password: decodeURIComponent(url.password),
		schema,
	};
	const result = await cadenceStoreTest.call(
		{} as ICredentialTestFunctions,
		{
			id: '1',
			name: 'store',
			type: 'cadenceStoreApi',
			data,
		} as ICredentialsDecrypted,
	);
	expect(result).toEqual({ status: 'OK', message: 'Connected; 0 cadence(s) published.' });
	await closeSharedStores();
	const client = new Client({ connectionString: postgresUrl() });
	await client.connect();
	const tables = await client.query(
		'SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1',
		[schema],
	);
	expect(tables.rows[0].n).toBeGreaterThanOrEqual(8);
	await client.query(`DROP SCHEMA ${schema} CASCADE`);
	await client.end();
});
