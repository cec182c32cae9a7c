import type { INodeExecutionData } from 'n8n-workflow';
import type { TriggerSettings } from './settings';

/**
 * A second output, "Events", appears once any event is picked under Options → Emit Events, so
 * alerts and notifications get their own branch and the due-step branch never has to filter.
 * Written as an expression string (not a stringified function, as n8n's Switch does) so that
 * code coverage instrumentation can never leak into what the editor evaluates.
 */
const DUE_STEPS = { type: 'main', displayName: 'Due Steps' };
const EVENTS = { type: 'main', displayName: 'Events' };

export const OUTPUTS_EXPRESSION: `={{${string}}}` = `={{ (($parameter.options || {}).emitEvents || []).length > 0 ? ${JSON.stringify([DUE_STEPS, EVENTS])} : ${JSON.stringify([DUE_STEPS])} }}`;

/** The data for `emit`, with as many outputs as the expression above gives the node. */
export function toOutputs(
	settings: TriggerSettings,
	dueSteps: INodeExecutionData[],
	events: INodeExecutionData[] = [],
): INodeExecutionData[][] {
	return settings.events.length > 0 ? [dueSteps, events] : [dueSteps];
}
