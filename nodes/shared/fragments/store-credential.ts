import type { INodeCredentialDescription } from 'n8n-workflow';
import { STORE_CREDENTIAL } from '../store-provider';

/**
 * The Cadence Store credential as every node declares it: optional (without it the nodes share an
 * embedded SQLite file in n8n's folder), tested by the same connection check.
 */
export const storeCredentials: INodeCredentialDescription[] = [
	{ name: STORE_CREDENTIAL, required: false, testedBy: 'cadenceStoreTest' },
];
