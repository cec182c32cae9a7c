import { cadenceLocator } from '../../../shared/cadence-locator';

/** Reports cover every cadence unless one is picked. */
export const reportCadence = cadenceLocator({
	required: false,
	description: 'Report on this cadence only. Leave empty to report on every cadence.',
});
