import type { IDataObject } from 'n8n-workflow';
import { EnrollInCadence } from '../../../nodes/EnrollInCadence/EnrollInCadence.node';
import { prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';

const node = new EnrollInCadence();
const run = (parameters: IDataObject, continueOnFail = false) =>
	node.execute.call(
		executeContext({
			type: 'enrollInCadence',
			parameters,
			credentials: t.credentials,
			continueOnFail,
		}),
	);

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(prospecting);
});
afterEach(async () => t.dispose());

const base = {
	cadence: { mode: 'list', value: 'Prospecting' },
	contactKey: 'ana',
	conversationKey: 'chat-1',
	contactName: '',
	variables: {},
	reachAt: {},
	options: {},
};

async function nothingWritten() {
	expect(await t.store.listEnrollments()).toEqual([]);
	expect(await t.store.getIdentities('ana')).toEqual([]);
	expect(
		await t.store.getConversationState({ contactKey: 'ana', conversationKey: 'chat-1' }),
	).toBeNull();
}

describe('Enroll In Cadence: where the contact can be reached', () => {
	it('keeps every field of Reach Contact At, normalised, for the channel decision', async () => {
		const [out] = await run({
			...base,
			reachAt: {
				phone: '+55 (11) 98765-4321',
				email: 'Ana@Example.com',
				whatsapp: '5511912345678@s.whatsapp.net',
				telegram: 12345,
				liveChat: 'visitor-9',
				facebook: 'psid-1',
				instagram: 'igsid-1',
			},
		});
		expect(out[0].json.outcome).toBe('enrolled');
		expect(await t.store.getIdentities('ana')).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ kind: 'phone', value: '+5511987654321' }),
				expect.objectContaining({ kind: 'email', value: 'ana@example.com' }),
				expect.objectContaining({ kind: 'whatsapp', value: '+5511912345678' }),
				expect.objectContaining({ kind: 'telegram', value: '12345' }),
				expect.objectContaining({ kind: 'liveChat', value: 'visitor-9' }),
				expect.objectContaining({ kind: 'facebook', value: 'psid-1' }),
				expect.objectContaining({ kind: 'instagram', value: 'igsid-1' }),
			]),
		);
		expect(await t.store.getIdentities('ana')).toHaveLength(7);
	});

	it('stores the Conversation Channel on the conversation, as the trigger names it', async () => {
		await run({ ...base, options: { conversationChannel: 'WhatsApp Cloud' } });
		expect(
			await t.store.getConversationState({ contactKey: 'ana', conversationKey: 'chat-1' }),
		).toMatchObject({ channel: 'whatsapp', status: 'open' });
	});

	it('refuses a phone number that is not one, naming the field, and writes nothing', async () => {
		const error = await run({ ...base, reachAt: { phone: '12' } }).catch((e: Error) => e);
		expect((error as Error).message).toMatch(/"Reach Contact At → Phone Number" parameter/);
		await nothingWritten();
	});

	it('refuses an unknown conversation channel, listing the known ones, and writes nothing', async () => {
		const error = await run({ ...base, options: { conversationChannel: 'pigeon' } }).catch(
			(e: Error) => e,
		);
		expect((error as Error).message).toMatch(/"Conversation Channel" parameter .*"pigeon"/);
		expect((error as { description?: string }).description).toMatch(/WhatsApp, SMS, Email/);
		await nothingWritten();
	});

	it('refuses a list where one value belongs', async () => {
		const [out] = await run({ ...base, reachAt: { email: ['a@b.co', 'c@d.co'] } }, true);
		expect(out[0].json.error).toMatch(/Reach Contact At → Email.*a list/);
		await nothingWritten();
	});
});
