import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { openVerified } from '../../engine';
import { configFromCredential } from './store-provider';

/**
 * Opens the store the credential describes (creating and migrating it) and reads from it. It
 * opens its own connection, never the shared pool: a pool another credential opened would
 * answer "Connected" whatever password this one holds.
 */
export async function cadenceStoreTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const store = await openVerified(configFromCredential(credential.data ?? {}));
		const cadences = await store.listCadences({ limit: 1000 }).finally(() => store.close());
		return { status: 'OK', message: `Connected; ${cadences.length} cadence(s) published.` };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}
