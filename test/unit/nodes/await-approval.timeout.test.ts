import { NodeOperationError, WAIT_INDEFINITELY, type IDataObject } from 'n8n-workflow';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import { stepItemJson } from '../../../nodes/shared/step-item';
import { nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { DAY } from '../../support/virtual-clock';
import {
	resumeAfterTimeLimit,
	startApproval,
	type ApprovalRunOptions,
} from './await-approval.harness';

const assisted: CadenceDefinitionInput = {
	name: 'Assisted',
	steps: [
		{
			wait: { amount: 1, unit: 'days' },
			instruction: 'Follow up',
			staticText: 'Just checking in!',
			composeMode: 'aiAssisted',
		},
	],
};

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(assisted);
});
afterEach(async () => t.dispose());

async function followUpItem(contactKey: string, text = 'The AI draft'): Promise<IDataObject> {
	await t.store.enroll([{ cadence: 'Assisted', contactKey, startAt: Date.now() - 2 * DAY }]);
	const claimed = (await t.store.claimDue({ cadence: 'Assisted' }))[0];
	return { ...stepItemJson(claimed, []), text };
}

function waitFor(
	items: IDataObject[],
	parameters: IDataObject | ((i: number) => IDataObject),
	extra: Partial<ApprovalRunOptions> = {},
) {
	const defaults = {
		draft: '',
		timeLimit: 2,
		timeLimitUnit: 'days',
		onTimeout: 'escalate',
		options: {},
	};
	return startApproval({
		items: items.map((json) => ({ json })),
		credentials: t.credentials,
		parameters:
			typeof parameters === 'function'
				? (i) => ({ ...defaults, ...parameters(i) })
				: { ...defaults, ...parameters },
		...extra,
	});
}

describe('Await Approval: when nobody decides in time', () => {
	it('waits until the time limit', async () => {
		const waiting = await waitFor([await followUpItem('c1')], {
			timeLimit: 90,
			timeLimitUnit: 'minutes',
		});
		expect(waiting.waitTill!.getTime() - Date.now()).toBeGreaterThan(89 * 60_000);
		expect(waiting.waitTill!.getTime() - Date.now()).toBeLessThanOrEqual(90 * 60_000);
	});

	it.each([
		['sendDraft', 0, 'The AI draft', /so the draft is sent/],
		['sendStatic', 0, 'Just checking in!', /so the static text is sent/],
		['skip', 1, undefined, /so nothing is sent/],
		['escalate', 2, undefined, /^Nobody decided in time\.$/],
	])('%s → output %i', async (onTimeout, output, text, note) => {
		const item = await followUpItem('c1');
		const waiting = await waitFor([item], { onTimeout });
		const outputs = resumeAfterTimeLimit(waiting);
		expect(outputs.map((o) => o.length)).toEqual([0, 1, 2].map((i) => (i === output ? 1 : 0)));
		const [emitted] = outputs[output];
		expect(emitted.pairedItem).toEqual({ item: 0 });
		expect(emitted.json).toMatchObject({
			stepRunId: item.stepRunId,
			approval: {
				decision: 'timedOut',
				onTimeout,
				by: null,
				draft: 'The AI draft',
				recorded: false,
				note: expect.stringMatching(note),
			},
		});
		if (text) expect(emitted.json.text).toBe(text);
		// n8n resumes a timed-out wait without running the node: the time limit and the policy
		// are in the store beforehand, for the Follow-up Trigger's check to apply.
		expect(await t.store.getStepRun({ stepRunId: item.stepRunId as number })).toMatchObject({
			status: 'pending',
			approval: 'awaiting',
			approvalDeadline: waiting.waitTill!.getTime(),
			approvalTimeout: onTimeout,
		});
	});

	it('escalates instead when there is nothing to send', async () => {
		const noDraft = await followUpItem('c1', '');
		const waiting = await waitFor([noDraft], { onTimeout: 'sendDraft' });
		const [, , timedOut] = resumeAfterTimeLimit(waiting);
		expect(timedOut[0].json.approval).toMatchObject({
			decision: 'timedOut',
			note: 'Nobody decided in time and there is no draft to send.',
		});
	});

	it('sends the Static Text option instead of the step’s, and each item by its own policy', async () => {
		const items = [await followUpItem('a'), await followUpItem('b')];
		const waiting = await waitFor(items, (i) => ({
			onTimeout: i === 0 ? 'sendStatic' : 'skip',
			options: { staticText: 'Custom fallback' },
		}));
		const [approved, discarded] = resumeAfterTimeLimit(waiting);
		expect(approved.map((o) => [o.pairedItem, o.json.text])).toEqual([
			[{ item: 0 }, 'Custom fallback'],
		]);
		expect(discarded.map((o) => o.pairedItem)).toEqual([{ item: 1 }]);
	});

	it('without its outcome arranged, n8n would pass the raw input to Approved; so it never waits then', async () => {
		const item = await followUpItem('c1');
		const waiting = await waitFor([item], { onTimeout: 'sendDraft' }, { withoutExecuteData: true });
		expect(waiting.waitTill).toBe(WAIT_INDEFINITELY);
		expect(waiting.hints).toEqual([
			expect.objectContaining({
				type: 'warning',
				message: expect.stringMatching(/waits without a time limit/),
			}),
		]);
		// What n8n does with a wait whose node prepared nothing: the input, unchanged, on output 0.
		expect(resumeAfterTimeLimit(waiting)).toEqual([[{ json: item }]]);
		// No time limit runs, so none is stored (the trigger reports such a draft as stuck).
		expect(
			(await t.store.getStepRun({ stepRunId: item.stepRunId as number })).approvalDeadline,
		).toBeNull();
	});

	describe('bad time limits name the parameter and write nothing', () => {
		it.each([
			[{ timeLimit: 0 }, /"Time Limit" must be at least 1/],
			[{ timeLimit: 400, timeLimitUnit: 'days' }, /at most a year/],
			[{ timeLimitUnit: 'weeks' }, /"Time Limit Unit" has no choice "weeks"/],
			[{ onTimeout: 'panic' }, /"When Nobody Decides in Time" parameter has no choice "panic"/],
		])('%j', async (parameters, message) => {
			const item = await followUpItem('c1');
			const attempt = waitFor([item], parameters);
			await expect(attempt).rejects.toThrow(NodeOperationError);
			await expect(attempt).rejects.toThrow(message);
			const run = await t.store.getStepRun({ stepRunId: item.stepRunId as number });
			expect(run).toMatchObject({ approval: null, text: null });
		});
	});
});
