import type { ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import type { CadenceOwner } from '../../engine';
import { toNodeError } from '../shared/errors';
import { storeConfigFor } from '../shared/store-provider';
import { isDefinitionError, StoreConnection } from './connection';
import { definitionFromParameters } from './definition';
import { toOutputs } from './outputs';
import { parameterReader } from './parameters';
import { previewItem } from './preview';
import { cronExpression, readSettings } from './settings';
import { Ticker } from './ticker';
import { validateDefinition } from './validate';

/**
 * Activation: validate the cadence held in the parameters, publish it (a new version only when
 * its content changed), then check for due steps on a seconds-level cron. n8n runs the cron on
 * the leader only in multi-main, and the store's atomic claim keeps any other process honest.
 * A store that cannot be reached does not fail activation (see connection.ts): the checks retry
 * and report it. In the editor (manual mode) nothing is published: the run previews a step.
 */
export async function activate(this: ITriggerFunctions): Promise<ITriggerResponse> {
	const node = this.getNode();
	const read = parameterReader(this);
	const settings = readSettings(node, read);
	const definition = validateDefinition(node, definitionFromParameters(read, this.getTimezone()));

	if (this.getMode() === 'manual') {
		// n8n swaps in its own `emit` after trigger() returns, so the preview is emitted from here.
		const manualTriggerFunction = async () => {
			const item = await previewItem(node, definition, settings, Date.now());
			this.emit(toOutputs(settings, [item]));
		};
		return { manualTriggerFunction };
	}

	const connection = new StoreConnection(
		await storeConfigFor(this),
		settings,
		async (store) => await store.publishCadence(definition, cadenceOwner(this)),
		(message) => this.logger.info(message),
	);
	const ticker = new Ticker(
		this,
		connection,
		settings,
		undefined,
		definition.channels.inactivity.enabled,
	);
	try {
		await connection.ready();
	} catch (error) {
		if (isDefinitionError(error)) {
			await connection.close();
			throw toNodeError(node, error);
		}
		this.logger.warn(
			`Follow-up Trigger: the cadence store cannot be reached yet; the trigger keeps trying at every check. ${(error as Error).message}`,
		);
		// The first check reports it as a failed execution (then once every ten minutes).
	}

	// tick() never rejects (a failed check is reported), so the cron may hold on to its promise.
	this.helpers.registerCron({ expression: cronExpression(settings.checkIntervalSeconds) }, () =>
		ticker.tick(),
	);
	return {
		// n8n removes the cron itself on deactivation; the store goes back to the shared pool.
		closeFunction: async () => {
			await ticker.stop();
			await connection.close();
		},
	};
}

/**
 * The cadence belongs to this trigger (workflow + node), not to its name: two workflows imported
 * from one template, each with its own trigger, get two independent cadences.
 */
function cadenceOwner(context: ITriggerFunctions): CadenceOwner | undefined {
	const workflow = context.getWorkflow();
	const node = context.getNode();
	if (!workflow.id || !node.id) return undefined;
	return { workflowId: String(workflow.id), nodeId: node.id, workflowName: workflow.name };
}
