import { DateTime } from 'luxon';
import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import { RecordReply } from '../../../nodes/RecordReply/RecordReply.node';
import { prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';

/**
 * Record Reply without a chat model: "I have booked" / "just paid" end the cadence as goal
 * reached, a request for a time pauses until then in the contact's zone, and the user's own Goal
 * Phrases make "restart on reply, but stop when booked or paid" (seed 003) work with each
 * cadence's own policy.
 */
const node = new RecordReply();
const restarting: CadenceDefinitionInput = {
	...prospecting,
	name: 'Restarting',
	reply: { action: 'restart' },
};

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(restarting);
});
afterEach(async () => t.dispose());

const run = (parameters: IDataObject) =>
	node.execute.call(
		executeContext({
			type: 'recordReply',
			parameters: {
				contactKey: 'c1',
				conversationKey: '',
				channel: '',
				options: {},
				...parameters,
			},
			credentials: t.credentials,
		}),
	);

async function enroll(timeZone: string | null = null) {
	const [result] = await t.store.enroll([{ cadence: 'Restarting', contactKey: 'c1', timeZone }]);
	return result.enrollment!;
}

describe('Record Reply: goal and time requests without a model', () => {
	it('Let AI Classify: "just paid" ends the cadence as goal reached', async () => {
		const enrollment = await enroll();
		const [out] = await run({ action: 'classify', text: 'just paid' });
		expect(out[0].json).toMatchObject({
			action: 'goal',
			state: 'exited',
			message: 'Stopped "Restarting": the contact says the goal is reached.',
			classification: { category: 'goal', by: 'keywords', action: 'goal' },
		});
		expect(await t.store.getEnrollment(enrollment.id)).toMatchObject({ exitReason: 'goal' });
	});

	it('Let AI Classify: "can you follow up next Tuesday at 3pm" pauses until then in the contact’s zone', async () => {
		await enroll('America/Chicago');
		const receivedAt = '2026-03-04T15:00:00.000Z'; // a Wednesday
		const [out] = await run({
			action: 'classify',
			text: 'can you follow up next Tuesday at 3pm',
			options: { receivedAt },
		});
		const until = DateTime.fromISO('2026-03-10T15:00', { zone: 'America/Chicago' });
		expect(out[0].json).toMatchObject({
			action: 'pause',
			state: 'paused',
			nextDueAt: until.toUTC().toISO(),
			classification: { category: 'busy', resumeAt: until.toUTC().toISO() },
		});
	});

	describe('Goal Phrases with each cadence’s policy (restart on reply)', () => {
		const policy = { action: 'policy', options: { goalPhrases: 'booked, paid' } };

		it('a reply with a goal phrase stops the cadence as goal reached', async () => {
			const enrollment = await enroll();
			const [out] = await run({ ...policy, text: 'Paid it this morning' });
			expect(out[0].json).toMatchObject({
				action: 'goal',
				state: 'exited',
				classification: { category: 'goal', reason: 'matched your goal phrase "Paid"' },
			});
			expect(await t.store.getEnrollment(enrollment.id)).toMatchObject({ exitReason: 'goal' });
		});

		it('any other reply restarts the chain, as the cadence says', async () => {
			await enroll();
			const [out] = await run({ ...policy, text: 'Thanks, I will think about it' });
			expect(out[0].json).toMatchObject({ action: 'restart', state: 'active' });
			expect(out[0].json.classification).toBeUndefined();
		});

		it('without goal phrases, the policy applies even to "just paid" (nothing is guessed)', async () => {
			await enroll();
			const [out] = await run({ action: 'policy', text: 'just paid' });
			expect(out[0].json).toMatchObject({ action: 'restart' });
		});
	});

	it('bad Goal Phrases name the option and write nothing', async () => {
		const enrollment = await enroll();
		const attempt = run({ action: 'policy', text: 'paid', options: { goalPhrases: '!!!, ???' } });
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(/The "Goal Phrases" option is not usable/);
		expect(await t.store.getConversation({ contactKey: 'c1' })).toEqual([]);
		expect(await t.store.getEnrollment(enrollment.id)).toMatchObject({ state: 'active' });
	});
});
