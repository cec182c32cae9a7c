import type { IDataObject } from 'n8n-workflow';
import { RecordReply } from '../../../nodes/RecordReply/RecordReply.node';
import { prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';

const node = new RecordReply();

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence({ ...prospecting, reply: { action: 'restart' } });
});
afterEach(async () => t.dispose());

const base = {
	author: 'contact',
	action: 'policy',
	contactKey: 'ana',
	conversationKey: 'chat-1',
	text: 'Hi there',
	channel: 'WhatsApp',
	reachAt: {},
	options: {},
};
const run = (parameters: IDataObject) =>
	node.execute.call(
		executeContext({ type: 'recordReply', parameters, credentials: t.credentials }),
	);
const conversation = () =>
	t.store.getConversationState({ contactKey: 'ana', conversationKey: 'chat-1' });

describe('Record Reply: identities and the conversation', () => {
	it('keeps where the contact can be reached, and the channel and time of their message', async () => {
		await run({ ...base, reachAt: { phone: '+1 415 555 0100', telegram: 'tg-7' } });
		expect(await t.store.getIdentities('ana')).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ kind: 'phone', value: '+14155550100' }),
				expect.objectContaining({ kind: 'telegram', value: 'tg-7' }),
			]),
		);
		const state = await conversation();
		expect(state).toMatchObject({ channel: 'whatsapp', status: 'open' });
		expect(state?.lastInboundAt).toEqual(expect.any(Number));
	});

	it('sets the Conversation Status given, for a contact’s and an agent’s message', async () => {
		await run({ ...base, options: { conversationStatus: 'pending' } });
		expect(await conversation()).toMatchObject({ status: 'pending' });
		await run({
			...base,
			author: 'agent',
			reachAt: { email: 'ana@example.com' },
			options: { conversationStatus: 'open' },
		});
		expect(await conversation()).toMatchObject({ status: 'open' });
		expect(await t.store.getIdentities('ana')).toEqual([
			expect.objectContaining({ kind: 'email', value: 'ana@example.com' }),
		]);
	});

	it('dates the status change with the message, so an earlier message leaves the conversation idle', async () => {
		const at = '2026-01-05T10:00:00.000Z';
		await run({ ...base, options: { conversationStatus: 'pending', receivedAt: at } });
		expect(await conversation()).toMatchObject({
			status: 'pending',
			activityAt: Date.parse(at),
			lastInboundAt: Date.parse(at),
		});
	});

	it('Resolved ends the contact’s enrollments in that conversation', async () => {
		const [{ enrollment }] = await t.store.enroll([
			{ cadence: 'Prospecting', contactKey: 'ana', conversationKey: 'chat-1' },
		]);
		await run({ ...base, options: { conversationStatus: 'resolved' } });
		expect(await t.store.getEnrollment(enrollment!.id)).toMatchObject({ state: 'exited' });
	});

	it('Assigned To names who handles the conversation, for a contact’s and an agent’s message', async () => {
		await run({ ...base, options: { assignee: ' Lia ' } });
		expect(await conversation()).toMatchObject({ status: 'open', assignee: 'Lia' });
		await run({ ...base, author: 'agent', options: { assignee: 'max@example.com' } });
		expect(await conversation()).toMatchObject({ assignee: 'max@example.com' });
		// Empty or left out keeps the assignee; a status alone does not clear it.
		await run({ ...base, options: { assignee: '', conversationStatus: 'pending' } });
		await run(base);
		expect(await conversation()).toMatchObject({
			status: 'pending',
			assignee: 'max@example.com',
		});
	});

	it('refuses an Assigned To that is not text by name, recording no message', async () => {
		await expect(run({ ...base, options: { assignee: ['Lia', 'Max'] } })).rejects.toThrow(
			/"Assigned To" option must be text, not a list/,
		);
		expect(await t.store.getConversation({ contactKey: 'ana' })).toEqual([]);
		expect(await conversation()).toBeNull();
	});

	it('refuses an unknown status or a bad identity by name, recording no message', async () => {
		await expect(run({ ...base, options: { conversationStatus: 'closed' } })).rejects.toThrow(
			/"Conversation Status" parameter is not a conversation status: "closed"/,
		);
		await expect(run({ ...base, reachAt: { email: 'not-an-email' } })).rejects.toThrow(
			/"Reach Contact At → Email" parameter/,
		);
		expect(await t.store.getConversation({ contactKey: 'ana' })).toEqual([]);
		expect(await conversation()).toBeNull();
	});
});
