import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';
import { CadenceStoreError } from '../../engine/errors';
import { closeSharedStores, leaseStore } from '../../engine/store/shared-stores';
import { cadenceStoreTest } from '../../nodes/shared/credential-test';
import { configFromCredential } from '../../nodes/shared/store-provider';
import { startPasswordPostgres, type PasswordPostgres } from '../support/password-postgres';

/**
 * Issue 15.1: a store pool opened with the right password must not let in a credential with the
 * same host, port, database, user and schema but a wrong password — neither its reads and
 * writes nor its Test button. Against a Postgres that checks passwords.
 */

let pg: PasswordPostgres;

const credential = (password: string, extra: Record<string, unknown> = {}) => ({
	backend: 'postgres',
	host: pg.host,
	port: pg.port,
	database: pg.database,
	user: pg.user,
	password,
	schema: 'cadence_logins',
	...extra,
});

const testButton = (data: Record<string, unknown>) =>
	cadenceStoreTest.call(
		{} as ICredentialTestFunctions,
		{ id: '1', name: 'store', type: 'cadenceStoreApi', data } as ICredentialsDecrypted,
	);

beforeAll(async () => {
	pg = await startPasswordPostgres();
}, 60_000);

afterAll(async () => {
	await closeSharedStores();
	await pg?.stop();
});

describe('a wrong password while the right one has the store open', () => {
	it('is refused by the store, and the right one keeps working', async () => {
		const right = await leaseStore(configFromCredential(credential(pg.password)));
		await right.store.publishCadence({
			name: 'Logins',
			steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'Hi' }],
		});
		try {
			const attempt = leaseStore(configFromCredential(credential('wrong-password')));
			await expect(attempt).rejects.toThrow(CadenceStoreError);
			await expect(attempt).rejects.toThrow(/refused the login.*password/);
			await expect(attempt).rejects.toMatchObject({ problem: 'unreachable' });
			expect((await right.store.listCadences()).map((c) => c.name)).toEqual(['Logins']);
		} finally {
			right.release();
		}
	});

	it("is refused by the credential's Test button, which says Connected for the right one", async () => {
		const right = await leaseStore(configFromCredential(credential(pg.password)));
		try {
			const wrong = await testButton(credential('wrong-password'));
			expect(wrong.status).toBe('Error');
			expect(wrong.message).toMatch(/password authentication failed/);
			expect(await testButton(credential(pg.password))).toEqual({
				status: 'OK',
				message: 'Connected; 1 cadence(s) published.',
			});
		} finally {
			right.release();
		}
	});

	it('the SSL setting is part of what is shared: with SSL on, this server is not reached', async () => {
		const right = await leaseStore(configFromCredential(credential(pg.password)));
		try {
			// The embedded server has no SSL: a pool keyed without `ssl` would hand back the plain one.
			const withSsl = leaseStore(configFromCredential(credential(pg.password, { ssl: true })));
			await expect(withSsl).rejects.toThrow(/does not support SSL/);
		} finally {
			right.release();
		}
	});
});
