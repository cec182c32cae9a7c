import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import { Cadence } from '../../../nodes/Cadence/Cadence.node';
import { EnrollInCadence } from '../../../nodes/EnrollInCadence/EnrollInCadence.node';
import { ExitCheck } from '../../../nodes/ExitCheck/ExitCheck.node';
import { RecordReply } from '../../../nodes/RecordReply/RecordReply.node';
import { optionalIdentity, optionalText, requiredIdentity } from '../../../nodes/shared/identity';
import { prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';

/**
 * Issue 15.3: an expression resolving to undefined, null, an object or a list must never be
 * stored as "undefined", "null", "[object Object]" or "1,2". Identities fail the item naming the
 * parameter; optional fields that resolve to nothing stay empty.
 */

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(prospecting);
});
afterEach(async () => t.dispose());

type Extra = Partial<Parameters<typeof executeContext>[0]>;
const context = (type: string, parameters: (i: number) => IDataObject, extra: Extra = {}) =>
	executeContext({ type, parameters, credentials: t.credentials, ...extra });

const enrollBase = {
	cadence: { mode: 'list', value: 'Prospecting' },
	conversationKey: '',
	contactName: '',
	variables: {},
	options: {},
};

const enroll = (values: IDataObject[], extra: Extra = {}) =>
	new EnrollInCadence().execute.call(
		context('enrollInCadence', (i) => ({ ...enrollBase, ...values[i] }), {
			items: values.map(() => ({ json: {} })),
			...extra,
		}),
	);

describe('Enroll In Cadence reads identities, not their String()', () => {
	it('two contacts given as objects fail one by one, naming Contact ID; none is enrolled', async () => {
		const [out] = await enroll([{ contactKey: { id: 1 } }, { contactKey: { id: 2 } }], {
			continueOnFail: true,
		});
		expect(out.map((o) => o.json.error)).toEqual([
			'The "Contact ID" parameter must be text or a number, not an object ({"id":1})',
			'The "Contact ID" parameter must be text or a number, not an object ({"id":2})',
		]);
		expect(await t.store.listEnrollments()).toEqual([]);
	});

	it('a contact given as a list fails instead of becoming "1,2"', async () => {
		const attempt = enroll([{ contactKey: [1, 2] }]);
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(
			'The "Contact ID" parameter must be text or a number, not a list ([1,2])',
		);
	});

	it('a missing contact fails as empty, saying what it resolved to', async () => {
		await expect(enroll([{ contactKey: null }])).rejects.toThrow(
			'The "Contact ID" parameter is empty: it resolved to nothing (null)',
		);
	});

	it('a number is a contact; a missing name and conversation stay empty, not "null"', async () => {
		const [out] = await enroll([
			{ contactKey: 4915112345678, contactName: null, conversationKey: null },
		]);
		expect(out[0].json).toMatchObject({ outcome: 'enrolled', contactKey: '4915112345678' });
		const [enrollment] = await t.store.listEnrollments();
		expect(enrollment).toMatchObject({
			contactKey: '4915112345678',
			contactName: '',
			conversationKey: '',
		});
	});

	it('a conversation, target or name given as an object fails naming that parameter', async () => {
		await expect(enroll([{ contactKey: '+1', conversationKey: { chat: 5 } }])).rejects.toThrow(
			'The "Conversation ID" parameter must be text or a number, not an object ({"chat":5})',
		);
		await expect(
			enroll([{ contactKey: '+1', options: { targetType: 'deal', targetId: ['D1'] } }]),
		).rejects.toThrow('The "Target ID" parameter must be text or a number, not a list (["D1"])');
		await expect(enroll([{ contactKey: '+1', contactName: { first: 'Ana' } }])).rejects.toThrow(
			'The "Contact Name" parameter must be text, not an object ({"first":"Ana"})',
		);
		expect(await t.store.listEnrollments()).toEqual([]);
	});
});

describe('Record Reply reads identities, not their String()', () => {
	const reply = (values: IDataObject) =>
		new RecordReply().execute.call(
			context('recordReply', () => ({
				author: 'contact',
				action: 'policy',
				conversationKey: '',
				text: 'Thanks',
				channel: '',
				options: {},
				...values,
			})),
		);

	it('a missing conversation stays empty, so the reply still stops the cadence', async () => {
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: '+1', conversationKey: '' }]);
		const [out] = await reply({ contactKey: '+1', conversationKey: null, text: null });
		expect(out.map((o) => o.json.action)).toEqual(['exit']);
		const [message] = await t.store.getConversation({ contactKey: '+1' });
		expect(message).toMatchObject({ conversationKey: '', text: '' });
	});

	it('a conversation given as an object fails naming Conversation ID; nothing is recorded', async () => {
		await expect(reply({ contactKey: '+1', conversationKey: { id: 9 } })).rejects.toThrow(
			'The "Conversation ID" parameter must be text or a number, not an object ({"id":9})',
		);
		expect(await t.store.getConversation({ contactKey: '+1' })).toEqual([]);
	});

	it("your agent's message with an object as contact fails naming Contact ID", async () => {
		await expect(reply({ author: 'agent', contactKey: { phone: '+1' } })).rejects.toThrow(
			'The "Contact ID" parameter must be text or a number',
		);
	});
});

describe('the Cadence node reads identities, not their String()', () => {
	const signal = (operation: string, values: IDataObject) =>
		new Cadence().execute.call(
			context('cadence', () => ({ resource: 'signal', operation, options: {}, ...values })),
		);

	it('Goal Reached with a contact given as an object fails naming Contact ID', async () => {
		await expect(signal('goalReached', { contactKey: { id: 1 } })).rejects.toThrow(
			'The "Contact ID" parameter must be text or a number, not an object ({"id":1})',
		);
	});

	it('Opted Out with a missing contact fails as empty', async () => {
		await expect(signal('optedOut', { contactKey: null })).rejects.toThrow(
			'The "Contact ID" parameter is empty',
		);
		expect(await t.store.isSuppressed('null')).toBe(false);
	});
});

describe('Exit Check reads its Goal Note, not its String()', () => {
	it('a note given as an object fails naming Goal Note instead of recording "[object Object]"', async () => {
		const attempt = new ExitCheck().execute.call(
			context('exitCheck', () => ({ goalReached: true, options: { goalNote: { paid: true } } })),
		);
		await expect(attempt).rejects.toThrow(
			'The "Goal Note" parameter must be text, not an object ({"paid":true})',
		);
	});
});

describe('the reading rules themselves', () => {
	const at = { node: { name: 'N' } as never, itemIndex: 0, label: 'X' };
	it.each([
		[undefined, ''],
		[null, ''],
		['  ', ''],
		[' a ', 'a'],
		[42, '42'],
	])('an optional identity %p reads as %p', (value, text) => {
		expect(optionalIdentity(value, at)).toBe(text);
	});
	it('a required identity that resolved to nothing fails; a blank one is left to the store', () => {
		expect(() => requiredIdentity(undefined, at)).toThrow(
			'The "X" parameter is empty: it resolved to nothing (the expression resolved to undefined)',
		);
		expect(requiredIdentity(' ', at)).toBe('');
	});
	it.each([[{}], [[1, 2]], [true], [Number.NaN]])('an identity %p fails', (value) => {
		expect(() => optionalIdentity(value, at)).toThrow(/The "X" parameter must be text or a number/);
		expect(() => requiredIdentity(value, at)).toThrow(/The "X" parameter must be text or a number/);
	});
	it('optional text keeps text, numbers and booleans, and leaves nothing empty', () => {
		expect([undefined, null, 'Ana', 7, false].map((v) => optionalText(v, at))).toEqual([
			'',
			'',
			'Ana',
			'7',
			'false',
		]);
		expect(() => optionalText({ a: 1 }, at)).toThrow(
			'The "X" parameter must be text, not an object',
		);
	});
});
