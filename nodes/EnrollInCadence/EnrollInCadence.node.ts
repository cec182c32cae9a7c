import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { sharedMethods } from '../shared/methods';
import { execute } from './execute';
import { properties } from './properties';
import { storeCredentials } from '../shared/fragments/store-credential';
import { afterRunHint } from '../shared/fragments/hints';

export class EnrollInCadence implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Enroll In Cadence',
		name: 'enrollInCadence',
		icon: { light: 'file:enrollInCadence.svg', dark: 'file:enrollInCadence.dark.svg' },
		group: ['transform'],
		version: 1,
		// $parameter gives a resource locator's plain value (the cadence name), not its object.
		subtitle:
			'={{ $parameter["cadence"] ? "into " + $parameter["cadence"] : "no cadence picked" }}',
		description: 'Start a follow-up cadence for each contact that comes in',
		defaults: { name: 'Enroll In Cadence' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: storeCredentials,
		hints: [
			afterRunHint(
				'Each item’s outcome says enrolled, alreadyEnrolled, restarted, suppressed (opted out) or notAllowed.',
			),
		],
		properties,
	};

	methods = sharedMethods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return execute.call(this);
	}
}
