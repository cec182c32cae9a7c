import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import { RecordReply } from '../../../nodes/RecordReply/RecordReply.node';
import { prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { DAY, HOUR } from '../../support/virtual-clock';

const node = new RecordReply();

/** Prospecting's policy is "exit"; this one restarts the chain on a reply. */
const restarting: CadenceDefinitionInput = {
	...prospecting,
	name: 'Restarting',
	reply: { action: 'restart' },
};

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(prospecting);
	await t.store.publishCadence(restarting);
});
afterEach(async () => t.dispose());

const base = { conversationKey: '', text: 'Thanks, not now', channel: '', options: {} };

function run(
	parameters: IDataObject | ((i: number) => IDataObject),
	extra: Partial<Parameters<typeof executeContext>[0]> = {},
) {
	return node.execute.call(
		executeContext({ type: 'recordReply', parameters, credentials: t.credentials, ...extra }),
	);
}

async function enroll(cadence: string, contactKey = 'c1', conversationKey = '') {
	const [result] = await t.store.enroll([{ cadence, contactKey, conversationKey }]);
	return result.enrollment!;
}

describe('Record Reply › your agent’s messages', () => {
	it('records an outgoing agent message and re-anchors cadences timed from the last agent message', async () => {
		await t.store.publishCadence({
			...prospecting,
			name: 'After agent',
			startClock: 'lastAgentMessage',
		});
		const [{ enrollment }] = await t.store.enroll([
			{ cadence: 'After agent', contactKey: 'c1', startAt: Date.now() - DAY },
		]);
		const [out] = await run({
			...base,
			author: 'agent',
			contactKey: 'c1',
			text: 'Here is the price list',
			options: {},
		});
		expect(out).toHaveLength(1);
		expect(out[0]).toMatchObject({
			json: { contactKey: 'c1', direction: 'outbound' },
			pairedItem: { item: 0 },
		});
		const after = await t.store.getEnrollment(enrollment!.id);
		expect(after!.nextDueAt! - after!.anchorAt).toBe(3 * DAY);
		expect(after!.anchorAt).toBeGreaterThan(enrollment!.anchorAt);
		const history = await t.store.getConversation({ contactKey: 'c1' });
		expect(history.map((m) => [m.author, m.text])).toEqual([['agent', 'Here is the price list']]);
		expect(await t.store.getTimeline(enrollment!.id)).toEqual(
			expect.arrayContaining([expect.objectContaining({ type: 'reanchored' })]),
		);
	});
});

describe('Record Reply', () => {
	it('applies each cadence’s own policy and outputs one item per enrollment it changed', async () => {
		const stopping = await enroll('Prospecting');
		const restarted = await enroll('Restarting');
		const [out] = await run({ ...base, contactKey: 'c1', action: 'policy', channel: 'whatsapp' });
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
		expect(out[0].json).toMatchObject({
			contactKey: 'c1',
			effects: 2,
			enrollmentId: stopping.id,
			cadence: 'Prospecting',
			action: 'exit',
			state: 'exited',
			nextDueAt: null,
			message: 'Stopped "Prospecting": the contact replied.',
		});
		expect(out[1].json).toMatchObject({
			enrollmentId: restarted.id,
			cadence: 'Restarting',
			action: 'restart',
			state: 'active',
			nextDueAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			message: expect.stringMatching(/^Restarted "Restarting" from its first step/),
		});
		expect(await t.store.getConversation({ contactKey: 'c1' })).toEqual([
			expect.objectContaining({
				direction: 'inbound',
				text: 'Thanks, not now',
				channel: 'whatsapp',
				id: out[0].json.messageId,
			}),
		]);
	});

	it('says so, in one item, when no cadence was running', async () => {
		const [out] = await run({ ...base, contactKey: 'nobody', action: 'policy' });
		expect(out).toEqual([
			{
				json: {
					contactKey: 'nobody',
					conversationKey: '',
					messageId: expect.any(Number),
					effects: 0,
					message:
						'Recorded the message. No cadence was running for this contact, so nothing changed.',
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	describe('What to Do overrides the policy', () => {
		it('Stop the Cadence stops even a cadence that would restart', async () => {
			await enroll('Restarting');
			const [out] = await run({ ...base, contactKey: 'c1', action: 'exit' });
			expect(out[0].json).toMatchObject({ action: 'exit', state: 'exited' });
		});

		it('Restart the Chain restarts even a cadence that would stop', async () => {
			const enrollment = await enroll('Prospecting');
			const [out] = await run({ ...base, contactKey: 'c1', action: 'restart' });
			expect(out[0].json).toMatchObject({ action: 'restart', state: 'active' });
			expect((await t.store.getEnrollment(enrollment.id))!.cycle).toBe(2);
		});

		it('Pause Until… holds the follow-ups until the date given', async () => {
			await enroll('Prospecting');
			const until = new Date(Date.now() + 5 * DAY).toISOString();
			const [out] = await run({ ...base, contactKey: 'c1', action: 'pause', pauseUntil: until });
			expect(out[0].json).toMatchObject({ action: 'pause', state: 'paused', nextDueAt: until });
		});

		it('Pause Until… without a date uses the cadence’s pause length (1 day by default)', async () => {
			await enroll('Prospecting');
			const at = '2026-03-02T10:00:00.000Z';
			const [out] = await run({
				...base,
				contactKey: 'c1',
				action: 'pause',
				pauseUntil: '',
				options: { receivedAt: at },
			});
			expect(out[0].json).toMatchObject({
				action: 'pause',
				state: 'paused',
				nextDueAt: new Date(Date.parse(at) + DAY).toISOString(),
			});
		});

		it('Ignore (Auto-Reply) records the message and changes nothing', async () => {
			const enrollment = await enroll('Prospecting');
			const [out] = await run({ ...base, contactKey: 'c1', action: 'ignore' });
			expect(out[0].json).toMatchObject({
				action: 'ignore',
				state: 'active',
				nextDueAt: new Date(enrollment.nextDueAt!).toISOString(),
				message: expect.stringMatching(/Ignored for "Prospecting" \(auto-reply\)/),
			});
		});

		it('Opt Out stops every cadence and suppresses the contact', async () => {
			await enroll('Prospecting');
			await enroll('Restarting');
			const [out] = await run({ ...base, contactKey: 'c1', action: 'optOut' });
			expect(out.map((o) => [o.json.action, o.json.state])).toEqual([
				['optOut', 'exited'],
				['optOut', 'exited'],
			]);
			expect(await t.store.isSuppressed('c1')).toBe(true);
		});

		it('Opt Out suppresses a contact with nothing running, and says so', async () => {
			const [out] = await run({ ...base, contactKey: 'c9', action: 'optOut' });
			expect(out[0].json).toMatchObject({
				effects: 0,
				message: expect.stringMatching(/opted the contact out/),
			});
			expect(await t.store.isSuppressed('c9')).toBe(true);
		});
	});

	it('only touches cadences of the same conversation when a Conversation ID is given', async () => {
		const other = await enroll('Prospecting', 'c1', 'chat-A');
		const [out] = await run({
			...base,
			contactKey: 'c1',
			conversationKey: 'chat-B',
			action: 'policy',
		});
		expect(out[0].json).toMatchObject({ effects: 0, conversationKey: 'chat-B' });
		expect((await t.store.getEnrollment(other.id))!.state).toBe('active');
	});

	it('records the time given in Received At', async () => {
		const enrollment = await enroll('Prospecting');
		const at = new Date(Date.now() - HOUR).toISOString();
		await run({ ...base, contactKey: 'c1', action: 'policy', options: { receivedAt: at } });
		expect((await t.store.getEnrollment(enrollment.id))!.lastInboundAt).toBe(Date.parse(at));
	});

	it('pairs every output item with the message it came from', async () => {
		await enroll('Prospecting', 'a');
		await enroll('Prospecting', 'b');
		await enroll('Restarting', 'b');
		const contacts = ['a', 'nobody', 'b'];
		const [out] = await run((i) => ({ ...base, contactKey: contacts[i], action: 'policy' }), {
			items: contacts.map(() => ({ json: {} })),
		});
		expect(out.map((o) => [o.pairedItem, o.json.effects])).toEqual([
			[{ item: 0 }, 1],
			[{ item: 1 }, 0],
			[{ item: 2 }, 2],
			[{ item: 2 }, 2],
		]);
	});

	describe('bad input names the parameter and writes nothing', () => {
		it.each([
			['Contact ID', { contactKey: '  ' }, /Contact ID \(contactKey\): the contact key is empty/],
			['What to Do', { action: 'shout' }, /"What to Do" parameter has no choice "shout"/],
			[
				'Pause Until (not a date)',
				{ action: 'pause', pauseUntil: 'soon' },
				/"Pause Until" parameter is not a date/,
			],
			[
				'Pause Until (in the past)',
				{ action: 'pause', pauseUntil: '2020-01-01T00:00:00Z' },
				/"Pause Until" parameter is in the past/,
			],
			[
				'Received At',
				{ options: { receivedAt: 'yesterday' } },
				/"Received At" parameter is not a date/,
			],
		])('%s', async (_label, parameters, message) => {
			const enrollment = await enroll('Prospecting');
			const attempt = run({ ...base, contactKey: 'c1', action: 'policy', ...parameters });
			await expect(attempt).rejects.toThrow(NodeOperationError);
			await expect(attempt).rejects.toThrow(message);
			expect(await t.store.getConversation({ contactKey: 'c1' })).toEqual([]);
			expect((await t.store.getEnrollment(enrollment.id))!.state).toBe('active');
		});

		it('turns an unreachable store into an API error', async () => {
			const attempt = run(
				{ ...base, contactKey: 'c1', action: 'policy' },
				{ credentials: unreachablePostgres },
			);
			await expect(attempt).rejects.toThrow(NodeApiError);
		});
	});

	it('with Continue On Fail, turns a bad item into an error item and records the others', async () => {
		await enroll('Prospecting', 'b');
		const [out] = await run(
			(i) => ({ ...base, contactKey: i === 0 ? '' : 'b', action: 'policy' }),
			{
				items: [{ json: {} }, { json: {} }],
				continueOnFail: true,
			},
		);
		expect(out).toEqual([
			{ json: { error: expect.stringMatching(/Contact ID/) }, pairedItem: { item: 0 } },
			expect.objectContaining({
				json: expect.objectContaining({ action: 'exit' }),
				pairedItem: { item: 1 },
			}),
		]);
	});

	it('is offered to AI agents as a tool and uses the optional Cadence Store credential', () => {
		expect(node.description.usableAsTool).toBe(true);
		expect(node.description.credentials).toEqual([
			{ name: 'cadenceStoreApi', required: false, testedBy: 'cadenceStoreTest' },
		]);
	});
});

const unreachablePostgres = {
	cadenceStoreApi: {
		backend: 'postgres',
		host: '127.0.0.1',
		port: 1,
		database: 'x',
		user: 'x',
		password: '',
		schema: 'cadence',
	},
};
