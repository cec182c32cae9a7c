import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';
import type { StoreConfig } from '../../engine';
import { defaultSqlitePath, leaseStore } from '../../engine';
import type { CadenceStore } from '../../engine';

export const STORE_CREDENTIAL = 'cadenceStoreApi';

type AnyContext = IExecuteFunctions | ITriggerFunctions | ILoadOptionsFunctions | IWebhookFunctions;

export function configFromCredential(data: ICredentialDataDecryptedObject): StoreConfig {
	if (data.backend === 'postgres') {
		return {
			kind: 'postgres',
			host: String(data.host ?? 'localhost'),
			port: Number(data.port ?? 5432),
			database: String(data.database ?? ''),
			user: String(data.user ?? ''),
			password: String(data.password ?? ''),
			ssl: data.ssl === true,
			schema: String(data.schema || 'cadence'),
		};
	}
	return { kind: 'sqlite', path: String(data.sqlitePath || '') || defaultSqlitePath() };
}

/** The store this node uses: its Cadence Store credential, or the default SQLite file. */
export async function storeConfigFor(context: AnyContext): Promise<StoreConfig> {
	const chosen = context.getNode().credentials?.[STORE_CREDENTIAL];
	if (!chosen) return { kind: 'sqlite', path: defaultSqlitePath() };
	return configFromCredential(await context.getCredentials(STORE_CREDENTIAL));
}

/** Runs `work` with the store the node is configured for. */
export async function withStore<T>(
	context: AnyContext,
	work: (store: CadenceStore) => Promise<T>,
): Promise<T> {
	const lease = await leaseStore(await storeConfigFor(context));
	try {
		return await work(lease.store);
	} finally {
		lease.release();
	}
}
