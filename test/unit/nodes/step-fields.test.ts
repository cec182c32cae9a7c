import type { INodeProperties } from 'n8n-workflow';
import { stepsProperty } from '../../../nodes/FollowUpTrigger/properties/steps';

/**
 * A step's fields in the order a person plans a follow-up: when (wait, unit), how (mode), what
 * (instruction, message text), where (channel, template), then run-once and the step's name.
 */
it('orders the Follow-up Trigger’s step fields as a person thinks', () => {
	const step = (stepsProperty.options as Array<{ name: string; values: INodeProperties[] }>)[0];
	expect(step.name).toBe('step');
	expect(step.values.map((v) => v.name)).toEqual([
		'waitAmount',
		'waitUnit',
		'composeMode',
		'instruction',
		'staticText',
		'channel',
		'whatsappTemplate',
		'whatsappTemplateLanguage',
		'whatsappTemplateParameters',
		'runOnce',
		'name',
	]);
});
