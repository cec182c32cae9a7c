import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import { EnrollInCadence } from '../../../nodes/EnrollInCadence/EnrollInCadence.node';
import { prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';

const node = new EnrollInCadence();
const run = (
	parameters: IDataObject | ((i: number) => IDataObject),
	extra: Partial<Parameters<typeof executeContext>[0]> = {},
) =>
	node.execute.call(
		executeContext({ type: 'enrollInCadence', parameters, credentials: t.credentials, ...extra }),
	);

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(prospecting);
});
afterEach(async () => t.dispose());

const base = {
	cadence: { mode: 'list', value: 'Prospecting' },
	conversationKey: '',
	contactName: '',
	variables: {},
	options: {},
};

describe('Enroll In Cadence', () => {
	it('enrolls every item in one go and reports each outcome with its paired item', async () => {
		const contacts = ['+1', '+2', '+1'];
		const [out] = await run(
			(i) => ({
				...base,
				contactKey: contacts[i],
				contactName: `Contact ${i}`,
				variables: { variable: [{ name: 'firstName', value: `Name ${i}` }] },
				options: { agent: 'Alexey', targetType: 'deal', targetId: `D${i}` },
			}),
			{ items: contacts.map((phone) => ({ json: { phone } })) },
		);
		expect(out.map((o) => o.json.outcome)).toEqual(['enrolled', 'enrolled', 'alreadyEnrolled']);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json).toMatchObject({
			cadence: 'Prospecting',
			contactKey: '+1',
			contactName: 'Contact 0',
			agent: 'Alexey',
			variables: { firstName: 'Name 0' },
			target: { type: 'deal', id: 'D0' },
			state: 'active',
			nextStep: 1,
		});
		expect(typeof out[0].json.nextDueAt).toBe('string');
		expect((await t.store.listEnrollments()).length).toBe(2);
	});

	it('takes the input fields as variables when asked, and a start time', async () => {
		const [out] = await run(
			{
				...base,
				contactKey: 'c',
				options: { includeInputFields: true, startAt: '2026-01-05T10:00:00Z' },
			},
			{
				items: [{ json: { firstName: 'Ann', plan: 'pro' } }],
			},
		);
		expect(out[0].json.variables).toEqual({ firstName: 'Ann', plan: 'pro' });
		expect(out[0].json.nextDueAt).toBe('2026-01-08T10:00:00.000Z');
	});

	it('says "suppressed" for a contact who opted out', async () => {
		await t.store.optOut({ contactKey: 'c' });
		const [out] = await run({ ...base, contactKey: 'c' });
		expect(out[0].json).toMatchObject({ outcome: 'suppressed', contactKey: 'c' });
	});

	it('fails an item with an empty contact ID, naming the field, and writes nothing', async () => {
		const attempt = run((i) => ({ ...base, contactKey: i === 0 ? 'ok' : '  ' }), {
			items: [{ json: {} }, { json: {} }],
		});
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(/Contact ID \(contactKey\): the contact key is empty/);
		expect(await t.store.listEnrollments()).toEqual([]);
	});

	it('with Continue On Fail, turns the bad item into an error item and enrolls the rest', async () => {
		const [out] = await run((i) => ({ ...base, contactKey: i === 0 ? '' : 'ok' }), {
			items: [{ json: {} }, { json: {} }],
			continueOnFail: true,
		});
		expect(out[0]).toMatchObject({
			json: { error: expect.stringMatching(/contact key is empty/) },
			pairedItem: { item: 0 },
		});
		expect(out[1].json.outcome).toBe('enrolled');
	});

	it('with Continue On Fail, names a repeated contact by its input item, counting failed ones', async () => {
		const contacts = ['', '+1', '+2', '+1'];
		const [out] = await run((i) => ({ ...base, contactKey: contacts[i] }), {
			items: contacts.map(() => ({ json: {} })),
			continueOnFail: true,
		});
		expect(out.map((o) => o.json.outcome)).toEqual([
			undefined,
			'enrolled',
			'enrolled',
			'alreadyEnrolled',
		]);
		// The store saw three inputs; the first contact is the node's item 2, not the store's 1.
		expect(out[3].json.message).toBe('Listed twice in this batch; enrolled once (item 2).');
	});

	it('rejects a bad start time naming the parameter', async () => {
		await expect(
			run({ ...base, contactKey: 'c', options: { startAt: 'next tuesday' } }),
		).rejects.toThrow(/"Start Time" parameter is not a date/);
	});

	it('reports an unknown cadence clearly, and enrolls nobody from the batch', async () => {
		const attempt = run({ ...base, cadence: { mode: 'name', value: 'Nope' }, contactKey: 'c' });
		await expect(attempt).rejects.toThrow(/No cadence .* found for "Nope"/);
		expect(await t.store.listEnrollments()).toEqual([]);
	});

	it('turns an unreachable Postgres store into an API error a user can act on', async () => {
		const attempt = run(
			{ ...base, contactKey: 'c' },
			{
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
			},
		);
		await expect(attempt).rejects.toThrow(NodeApiError);
		await expect(attempt).rejects.toThrow(/cadence store could not be used/);
	});
});
