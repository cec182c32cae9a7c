import type { IDataObject } from 'n8n-workflow';
import { Cadence } from '../../../nodes/Cadence/Cadence.node';
import type { ClaimedStep } from '../../../engine/store/types';
import { prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { DAY } from '../../support/virtual-clock';

const node = new Cadence();
let t: NodeTestStore;

const run = (parameters: IDataObject, continueOnFail = false) =>
	node.execute.call(
		executeContext({ type: 'cadence', parameters, credentials: t.credentials, continueOnFail }),
	);
const signal = (operation: string, more: IDataObject = {}) => ({
	resource: 'signal',
	operation,
	options: {},
	...more,
});

async function claimFor(contacts: string[]): Promise<ClaimedStep[]> {
	await t.store.enroll(
		contacts.map((contactKey) => ({
			cadence: 'Prospecting',
			contactKey,
			startAt: Date.now() - 10 * DAY,
		})),
	);
	return t.store.claimDue({ cadence: 'Prospecting' });
}

/** Step 1 of a contact sent through Mark Sent with the id the channel returned. */
async function sentWithId(contactKey: string, channelMessageId: string) {
	const [claimed] = await claimFor([contactKey]);
	const [out] = await run(
		signal('markSent', {
			stepRun: String(claimed.stepRun.id),
			channelMessageId,
			options: { channel: 'WhatsApp' },
		}),
	);
	return { claimed, out };
}

const report = (channelMessageId: string, status: string, options: IDataObject = {}) =>
	run(signal('deliveryStatus', { findBy: 'channelMessageId', channelMessageId, status, options }));

beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(prospecting);
});
afterEach(async () => t.dispose());

describe('Cadence › Mark Sent › Channel Message ID', () => {
	it('stores the id the send node returned on the step run', async () => {
		const { claimed, out } = await sentWithId('+1', 'wamid.A1');
		expect(out[0].json).toMatchObject({
			status: 'sent',
			channel: 'whatsapp',
			channelMessageId: 'wamid.A1',
		});
		expect(await t.store.getStepRunByChannelMessageId('wamid.A1')).toMatchObject({
			id: claimed.stepRun.id,
		});
	});

	it('refuses an id that belongs to another send, naming the parameter, and records nothing', async () => {
		await sentWithId('+1', 'wamid.A1');
		const [claimed] = await claimFor(['+2']);
		const error = await run(
			signal('markSent', { stepRun: String(claimed.stepRun.id), channelMessageId: 'wamid.A1' }),
		).catch((e: Error) => e);
		expect((error as Error).message).toMatch(/Channel Message ID/);
		const [again] = await t.store.getStepRuns(claimed.enrollment.id);
		expect(again.status).not.toBe('sent');
	});
});

describe('Cadence › Delivery Status › by Channel Message ID', () => {
	it('finds the step by the id, moves it to read, and ignores a late delivered', async () => {
		const { claimed } = await sentWithId('+1', 'wamid.B1');
		const [read] = await report('wamid.B1', 'read');
		expect(read[0].json).toMatchObject({
			outcome: 'applied',
			stepRunId: claimed.stepRun.id,
			status: 'read',
		});
		const [late] = await report('wamid.B1', 'delivered');
		expect(late[0].json).toMatchObject({ outcome: 'ignored', status: 'read' });
		expect(late[0].json.reason).toMatch(/read/);
		const [stored] = await t.store.getStepRuns(claimed.enrollment.id);
		expect(stored.status).toBe('read');
	});

	it('says unknown for an id no follow-up was sent with, writing nothing', async () => {
		const [out] = await report('wamid.agent-own-message', 'delivered');
		expect(out[0].json).toMatchObject({
			outcome: 'unknown',
			channelMessageId: 'wamid.agent-own-message',
		});
	});

	it('a failed report ends the enrollment as failed (the default failure policy)', async () => {
		const { claimed } = await sentWithId('+1', 'SM123');
		// Twilio's word for a failed SMS.
		const [out] = await report('SM123', 'undelivered', { detail: '30003 Unreachable' });
		expect(out[0].json).toMatchObject({ outcome: 'applied', reportedStatus: 'failed' });
		expect(await t.store.getEnrollment(claimed.enrollment.id)).toMatchObject({ state: 'failed' });
	});

	it('refuses an empty id or an unknown status by name', async () => {
		await expect(report('', 'read')).rejects.toThrow(/"Channel Message ID" parameter is empty/);
		await expect(report('wamid.X', 'bounced')).rejects.toThrow(/"Status" parameter/);
	});
});

describe('Cadence › Conversation Status', () => {
	it('sets the status and channel; resolved ends the conversation’s enrollments', async () => {
		const [claimed] = await claimFor(['+1']);
		const [pending] = await run(
			signal('conversationStatus', {
				contactKey: '+1',
				conversationKey: '',
				conversationStatus: 'pending',
				options: { conversationChannel: 'sms' },
			}),
		);
		expect(pending[0].json).toMatchObject({ status: 'pending', channel: 'sms', exited: 0 });
		const [resolved] = await run(
			signal('conversationStatus', {
				contactKey: '+1',
				conversationKey: '',
				conversationStatus: 'resolved',
			}),
		);
		expect(resolved[0].json).toMatchObject({ status: 'resolved', exited: 1 });
		expect(await t.store.getEnrollment(claimed.enrollment.id)).toMatchObject({ state: 'exited' });
	});

	it('sets a pending conversation open again, dated with Changed At', async () => {
		const base = { contactKey: '+1', conversationKey: 'c-7' };
		await run(signal('conversationStatus', { ...base, conversationStatus: 'pending' }));
		const [open] = await run(
			signal('conversationStatus', {
				...base,
				conversationStatus: 'open',
				options: { at: '2030-01-02T03:04:05Z' },
			}),
		);
		expect(open[0].json).toMatchObject({ status: 'open', conversationKey: 'c-7' });
		expect(await t.store.getConversationState(base)).toMatchObject({
			status: 'open',
			activityAt: Date.parse('2030-01-02T03:04:05Z'),
		});
	});

	it('Assigned To sets who handles the conversation; empty keeps the one set', async () => {
		const base = { contactKey: '+1', conversationKey: 'c-8', conversationStatus: 'open' };
		const [assigned] = await run(
			signal('conversationStatus', { ...base, options: { assignee: '  lia@example.com ' } }),
		);
		expect(assigned[0].json).toMatchObject({ assignee: 'lia@example.com' });
		await run(signal('conversationStatus', { ...base, options: { assignee: '' } }));
		await run(signal('conversationStatus', { ...base, conversationStatus: 'pending' }));
		expect(await t.store.getConversationState(base)).toMatchObject({
			status: 'pending',
			assignee: 'lia@example.com',
		});
	});

	it('refuses an Assigned To that is not text, or too long, by name, writing nothing', async () => {
		const base = { contactKey: '+1', conversationKey: '', conversationStatus: 'open' };
		await expect(
			run(signal('conversationStatus', { ...base, options: { assignee: { id: 7 } } })),
		).rejects.toThrow(/"Assigned To" option must be text, not object/);
		await expect(
			run(signal('conversationStatus', { ...base, options: { assignee: 'x'.repeat(513) } })),
		).rejects.toThrow(/Assigned To/);
		expect(await t.store.getConversationState({ contactKey: '+1' })).toBeNull();
	});

	it('refuses an unknown status or channel by name, writing nothing', async () => {
		const base = { contactKey: '+1', conversationKey: '' };
		await expect(
			run(signal('conversationStatus', { ...base, conversationStatus: 'closed' })),
		).rejects.toThrow(/"Conversation Status" parameter is not a conversation status/);
		await expect(
			run(
				signal('conversationStatus', {
					...base,
					conversationStatus: 'open',
					options: { conversationChannel: 'fax' },
				}),
			),
		).rejects.toThrow(/"Conversation Channel" parameter names an unknown channel: "fax"/);
		expect(await t.store.getConversationState({ contactKey: '+1' })).toBeNull();
	});
});
