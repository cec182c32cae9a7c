import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { leaseStore } from '../../engine/store/shared-stores';
import { configFromCredential } from './store-provider';

/** Opens the store the credential describes (creating and migrating it) and reads from it. */
export async function cadenceStoreTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const config = configFromCredential(credential.data ?? {});
		const lease = await leaseStore(config);
		const cadences = await lease.store.listCadences({ limit: 1000 }).finally(lease.release);
		return { status: 'OK', message: `Connected; ${cadences.length} cadence(s) published.` };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}
