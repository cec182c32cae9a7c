import { searchCadences } from './cadence-locator';
import { cadenceStoreTest } from './credential-test';

/** The `methods` every cadence node shares: the cadence picker and the credential test. */
export const sharedMethods = {
	listSearch: { searchCadences },
	credentialTest: { cadenceStoreTest },
};
