import type { ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { leaseStore, type StoreLease } from '../../engine/store/shared-stores';
import { toNodeError } from '../shared/errors';
import { storeConfigFor } from '../shared/store-provider';
import { definitionFromParameters } from './definition';
import { EventReader } from './event-items';
import { toOutputs } from './outputs';
import { parameterReader } from './parameters';
import { previewItem } from './preview';
import { cronExpression, feedEventsOf, readSettings } from './settings';
import { Ticker } from './ticker';
import { validateDefinition } from './validate';

/**
 * Activation: validate the cadence held in the parameters, publish it (a new version only when
 * its content changed), then check for due steps on a seconds-level cron. n8n runs the cron on
 * the leader only in multi-main, and the store's atomic claim keeps any other process honest.
 * In the editor (manual mode) nothing is published: the run previews a step instead.
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

	let lease: StoreLease;
	try {
		lease = await leaseStore(await storeConfigFor(this));
	} catch (error) {
		throw toNodeError(node, error);
	}
	let ticker: Ticker;
	try {
		const published = await lease.store.publishCadence(definition);
		this.logger.info(
			published.created
				? `Follow-up Trigger published "${published.name}" version ${published.version}`
				: `Follow-up Trigger: "${published.name}" is unchanged at version ${published.version}`,
		);
		const cursor = feedEventsOf(settings).length > 0 ? await lease.store.lastEventId() : 0;
		const events = new EventReader(lease.store, published.name, settings, cursor);
		ticker = new Ticker(this, lease.store, published.name, settings, events);
	} catch (error) {
		lease.release();
		throw toNodeError(node, error);
	}

	// tick() never rejects (a failed check is reported), so the cron may hold on to its promise.
	this.helpers.registerCron({ expression: cronExpression(settings.checkIntervalSeconds) }, () =>
		ticker.tick(),
	);
	return {
		// n8n removes the cron itself on deactivation; the store goes back to the shared pool.
		closeFunction: async () => {
			await ticker.stop();
			lease.release();
		},
	};
}
