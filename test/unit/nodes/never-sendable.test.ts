import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';
import { cadenceDefinitionSchema } from '../../../engine/cadence/definition';
import { definitionFromParameters } from '../../../nodes/FollowUpTrigger/definition';
import type { ReadParameter } from '../../../nodes/FollowUpTrigger/parameters';
import { validateDefinition } from '../../../nodes/FollowUpTrigger/validate';

/**
 * Issue 15.12: a cadence that could never send a message is refused when the workflow is
 * activated, naming the Sending Window setting, instead of failing every enrollment later.
 */

const readerOf =
	(parameters: IDataObject): ReadParameter =>
	(name, fallback) =>
		name.split('.').reduce<unknown>((v, k) => (v as IDataObject | undefined)?.[k], parameters) ??
		fallback;

function activationError(sendingWindow: IDataObject): string {
	const parsed = definitionFromParameters(readerOf({ cadenceName: 'x', sendingWindow }), 'UTC');
	try {
		validateDefinition({ name: 'Follow-up Trigger' } as INode, parsed);
	} catch (error) {
		expect(error).toBeInstanceOf(NodeOperationError);
		return (error as Error).message;
	}
	throw new Error('expected activation to be refused');
}

const week = (rows: IDataObject[]) => ({ workingHours: { window: rows } });

describe('a cadence that can never send is refused at activation', () => {
	it('quiet hours 00:00–24:00, naming Quiet Hours', () => {
		expect(activationError({ quietHours: { window: { from: '00:00', to: '24:00' } } })).toBe(
			'Sending Window → Quiet Hours: quiet hours 00:00–24:00 cover the whole day, so no message could ever be sent; shorten them or turn them off',
		);
	});

	it('working hours entirely inside quiet hours that wrap midnight, naming Working Hours', () => {
		const message = activationError({
			...week([
				{ days: 'weekdays', from: '22:00', to: '23:00' },
				{ days: 'saturday', from: '05:00', to: '07:00' },
			]),
			quietHours: { window: { from: '21:00', to: '07:00' } },
		});
		expect(message).toBe(
			'Sending Window → Working Hours: every working window lies inside the quiet hours 21:00–07:00, so no message could ever be sent; move the working hours out of the quiet hours or shorten the quiet hours',
		);
	});

	it.each([
		[
			'one open minute left',
			{
				...week([{ days: 'weekdays', from: '06:59', to: '08:00' }]),
				quietHours: { window: { from: '21:00', to: '07:00' } },
			},
		],
		[
			'quiet hours with equal ends (none)',
			{ quietHours: { window: { from: '08:00', to: '08:00' } } },
		],
		['quiet hours up to 23:59', { quietHours: { window: { from: '00:00', to: '23:59' } } }],
		[
			'usual hours',
			{
				...week([{ days: 'weekdays', from: '08:00', to: '17:00' }]),
				quietHours: { window: { from: '21:00', to: '08:00' } },
			},
		],
	])('%s is accepted', (_, sendingWindow) => {
		const parsed = definitionFromParameters(readerOf({ cadenceName: 'x', sendingWindow }), 'UTC');
		expect(cadenceDefinitionSchema.safeParse(parsed.input).success).toBe(true);
	});
});
