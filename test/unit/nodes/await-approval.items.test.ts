import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import { stepItemJson } from '../../../nodes/shared/step-item';
import { nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { DAY } from '../../support/virtual-clock';
import { openLink, press, resumeAfterTimeLimit, startApproval } from './await-approval.harness';

const assisted: CadenceDefinitionInput = {
	name: 'Assisted',
	steps: [
		{
			wait: { amount: 1, unit: 'days' },
			instruction: 'Follow up',
			staticText: 'Hello',
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

async function followUpItem(contactKey = 'c1'): Promise<IDataObject> {
	await t.store.enroll([{ cadence: 'Assisted', contactKey, startAt: Date.now() - 2 * DAY }]);
	const claimed = (await t.store.claimDue({ cadence: 'Assisted' }))[0];
	return { ...stepItemJson(claimed, []), text: `Draft for ${contactKey}` };
}

const parameters = {
	draft: '',
	timeLimit: 1,
	timeLimitUnit: 'days',
	onTimeout: 'sendDraft',
	options: {},
};
const run = (items: IDataObject[], extra: IDataObject = {}, continueOnFail = false) =>
	startApproval({
		items: items.map((json) => ({ json })),
		credentials: t.credentials,
		parameters: { ...parameters, ...extra },
		continueOnFail,
	});

describe('Await Approval: which items wait', () => {
	it('takes the input item itself when it is the follow-up (no notify node in between)', async () => {
		const item = await followUpItem();
		const waiting = await run([item]);
		const page = await openLink(waiting, { method: 'GET', credentials: t.credentials });
		expect(page.response.body).toContain('>Draft for c1</textarea>');
	});

	it('reviews the draft Compose Follow-up wrote in message.text', async () => {
		const { text: _plain, ...item } = await followUpItem();
		const composed = { ...item, message: { text: 'Composed draft for c1', mode: 'aiAssisted' } };
		const waiting = await run([composed]);
		const page = await openLink(waiting, { method: 'GET', credentials: t.credentials });
		expect(page.response.body).toContain('>Composed draft for c1</textarea>');
	});

	it('passes a preview straight to Approved with a note, without waiting or writing', async () => {
		const real = await followUpItem();
		const preview = { ...real, enrollmentId: 0, stepRunId: 0, preview: true };
		const before = await t.store.getTimeline(real.enrollmentId as number);
		const waiting = await run([preview]);
		expect(waiting.waitTill).toBeNull();
		expect(waiting.outputs[0]).toEqual([
			{
				json: expect.objectContaining({
					text: 'Draft for c1',
					approval: expect.objectContaining({
						decision: 'approved',
						recorded: false,
						note: expect.stringMatching(/^Preview: passed on without review/),
					}),
				}),
				pairedItem: { item: 0 },
			},
		]);
		expect(await t.store.getTimeline(real.enrollmentId as number)).toEqual(before);
	});

	it('lets a preview that came with real items through to Approved when they are decided', async () => {
		const real = await followUpItem();
		const preview = { ...real, enrollmentId: 0, stepRunId: 0, preview: true };
		const waiting = await run([preview, real]);
		const { result } = await openLink(waiting, { ...press('discard'), credentials: t.credentials });
		const [approved, discarded] = result.workflowData!;
		expect(approved.map((o) => o.pairedItem)).toEqual([{ item: 0 }]);
		expect(discarded.map((o) => o.pairedItem)).toEqual([{ item: 1 }]);
	});

	describe('a step that cannot be put up for review', () => {
		it('fails the node, saying why, when it was already decided', async () => {
			const item = await followUpItem();
			await t.store.recordDraft({
				stepRunId: item.stepRunId as number,
				text: 'x',
				awaitingApproval: true,
			});
			await t.store.recordApproval({
				stepRunId: item.stepRunId as number,
				decision: 'approved',
				by: 'Al',
			});
			const attempt = run([item]);
			await expect(attempt).rejects.toThrow(NodeOperationError);
			await expect(attempt).rejects.toThrow(
				'Step 1 of "Assisted" cannot be put up for approval: it was already approved by Al',
			);
		});

		it('names the store to use when the step is not in it', async () => {
			const item = await followUpItem();
			await expect(run([{ ...item, stepRunId: 999 }])).rejects.toThrow(
				/Step run 999 is not in the cadence store/,
			);
		});

		it('with Continue On Fail, leaves by Timed Out with its error, and the others still wait', async () => {
			const ok = await followUpItem('a');
			const gone = { ...(await followUpItem('b')), stepRunId: 999 };
			const waiting = await run([gone, ok], {}, true);
			expect(waiting.waitTill).not.toBeNull();
			const { result } = await openLink(waiting, {
				...press('approve'),
				credentials: t.credentials,
			});
			const [approved, , timedOut] = result.workflowData!;
			expect(approved.map((o) => o.pairedItem)).toEqual([{ item: 1 }]);
			expect(timedOut[0]).toMatchObject({
				pairedItem: { item: 0 },
				json: {
					error: expect.stringMatching(/not in the cadence store/),
					approval: { decision: 'failed' },
				},
			});
			expect(resumeAfterTimeLimit(waiting)[2].map((o) => o.pairedItem)).toEqual([{ item: 0 }]);
		});

		it('with an error output (On Error → Continue (using error output)), carries its n8n error so n8n moves it there', async () => {
			const gone = { ...(await followUpItem('c')), stepRunId: 999 };
			// Nothing else to review: the node answers at once.
			const alone = await startApproval({
				items: [{ json: gone }],
				credentials: t.credentials,
				parameters,
				onError: 'continueErrorOutput',
			});
			expect(alone.waitTill).toBeNull();
			const [failed] = alone.outputs[2];
			expect(failed.error).toBeInstanceOf(NodeOperationError);
			expect(failed.error?.message).toMatch(/not in the cadence store/);

			// Beside an item that waits: the error is on the item when the reviewer answers.
			const ok = await followUpItem('d');
			const waiting = await startApproval({
				items: [{ json: gone }, { json: ok }],
				credentials: t.credentials,
				parameters,
				onError: 'continueErrorOutput',
			});
			const { result } = await openLink(waiting, {
				...press('approve'),
				credentials: t.credentials,
				onError: 'continueErrorOutput',
			});
			const [approved, , timedOut] = result.workflowData!;
			expect(approved[0].error).toBeUndefined();
			expect(timedOut[0].error).toBeInstanceOf(NodeOperationError);

			// Continue (regular output): as before, the error in the JSON only.
			const regular = await run([gone], {}, true);
			expect(regular.outputs[2][0].error).toBeUndefined();
		});

		it('turns an unreachable store into an API error', async () => {
			const item = await followUpItem();
			const attempt = startApproval({
				items: [{ json: item }],
				parameters,
				credentials: {
					cadenceStoreApi: {
						backend: 'postgres',
						host: '127.0.0.1',
						port: 1,
						database: 'x',
						user: 'x',
						password: '',
						schema: 'cadence',
					},
				},
			});
			await expect(attempt).rejects.toThrow(NodeApiError);
		});
	});

	it('reviews an item from elsewhere with no draft by letting the reviewer write it', async () => {
		const waiting = await startApproval({
			items: [{ json: { ticket: 12 } }],
			parameters: { ...parameters, onTimeout: 'escalate' },
		});
		const page = await openLink(waiting, { method: 'GET' });
		expect(page.response.body).toContain('></textarea>');
		const empty = await openLink(waiting, press('approve'));
		expect(empty.response.status).toBe(400);
		const { result } = await openLink(
			waiting,
			press('approve', { text_0: 'Written by hand', by: 'Zoe' }),
		);
		expect(result.workflowData![0][0].json).toMatchObject({
			ticket: 12,
			text: 'Written by hand',
			approval: { decision: 'edited', by: 'Zoe', recorded: false },
		});
	});
});
