import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import { CadenceStoreError } from '../../../engine';
import { Cadence } from '../../../nodes/Cadence/Cadence.node';
import { eachInput, mapBatch, mapItems, settled } from '../../../nodes/shared/items';
import { prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { DAY } from '../../support/virtual-clock';

/** The shared item loop (nodes/shared/items.ts) on its own, then through a real node and store. */

const contextFor = (items: IDataObject[], continueOnFail = false) =>
	executeContext({
		type: 'test',
		parameters: {},
		items: items.map((json) => ({ json })),
		continueOnFail,
	});

function bad(itemIndex: number): NodeOperationError {
	return new NodeOperationError(
		{ name: 'n' } as never,
		`The "Amount" parameter is not a number (item ${itemIndex})`,
		{ itemIndex },
	);
}

describe('mapItems', () => {
	it('pairs every output item with its input, on the output the work chose, in item order', async () => {
		const out = await mapItems(contextFor([{ n: 1 }, { n: 2 }, { n: 3 }]), 2, async (i, item) =>
			i === 1
				? []
				: [
						{ output: i % 2, json: { seen: item.json.n } },
						{ output: 1, json: { copy: i } },
					],
		);
		expect(out).toEqual([
			[
				{ json: { seen: 1 }, pairedItem: { item: 0 } },
				{ json: { seen: 3 }, pairedItem: { item: 2 } },
			],
			[
				{ json: { copy: 0 }, pairedItem: { item: 0 } },
				{ json: { copy: 2 }, pairedItem: { item: 2 } },
			],
		]);
	});

	it('with Continue On Fail, a failing item leaves by the error output the node chose', async () => {
		const out = await mapItems(
			contextFor([{ who: 'a' }, { who: 'b' }], true),
			2,
			async (i) => {
				if (i === 0) throw bad(0);
				return [{ output: 0, json: { ok: true } }];
			},
			{ errorOutput: 1, errorJson: (error, item) => ({ ...item.json, error }) },
		);
		expect(out).toEqual([
			[{ json: { ok: true }, pairedItem: { item: 1 } }],
			[
				{
					json: { who: 'a', error: 'The "Amount" parameter is not a number (item 0)' },
					pairedItem: { item: 0 },
				},
			],
		]);
	});

	it('with an error output (On Error → Continue (using error output)), a failed item carries its n8n error, so n8n moves it there whatever fields it keeps', async () => {
		const context = executeContext({
			type: 'test',
			parameters: {},
			items: [{ json: { who: 'a' } }, { json: { who: 'b' } }],
			onError: 'continueErrorOutput',
		});
		const out = await mapItems(
			context,
			2,
			async (i) => {
				if (i === 0) throw bad(0);
				return [{ output: 0, json: { ok: true } }];
			},
			{ errorOutput: 1, errorJson: (error, item) => ({ ...item.json, error }) },
		);
		expect(out[0]).toEqual([{ json: { ok: true }, pairedItem: { item: 1 } }]);
		expect(out[1]).toHaveLength(1);
		expect(out[1][0].json).toEqual({
			who: 'a',
			error: 'The "Amount" parameter is not a number (item 0)',
		});
		expect(out[1][0].error).toBeInstanceOf(NodeOperationError);
		expect(out[1][0].error?.message).toBe('The "Amount" parameter is not a number (item 0)');

		// On Error → Continue (regular output): the item as before, no error attached.
		const regular = await mapItems(
			executeContext({
				type: 'test',
				parameters: {},
				items: [{ json: { who: 'a' } }],
				onError: 'continueRegularOutput',
			}),
			2,
			async () => {
				throw bad(0);
			},
			{ errorOutput: 1 },
		);
		expect(regular[1]).toEqual([
			{
				json: { error: 'The "Amount" parameter is not a number (item 0)' },
				pairedItem: { item: 0 },
			},
		]);
		expect(regular[1][0]).not.toHaveProperty('error');
	});

	it('without Continue On Fail, throws the item’s error and touches no later item', async () => {
		const touched: number[] = [];
		const attempt = mapItems(contextFor([{}, {}, {}]), 1, async (i) => {
			touched.push(i);
			if (i === 1) throw new Error('boom');
			return [];
		});
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toMatchObject({ context: { itemIndex: 1 } });
		expect(touched).toEqual([0, 1]);
	});
});

describe('mapBatch', () => {
	/** A batch call that "writes" each input and fails the ones named `fail`. */
	function recordingCall(written: string[]) {
		return async (inputs: string[]) =>
			inputs.map((name) => {
				if (name === 'fail') return new CadenceStoreError('row rejected');
				written.push(name);
				return name.toUpperCase();
			});
	}

	it('a bad item fails alone with its parameter’s message; the others are written in one call', async () => {
		const written: string[] = [];
		const calls: string[][] = [];
		const out = await mapBatch(contextFor([{ name: 'ann' }, { name: '' }, { name: 'bob' }], true), {
			outputs: 1,
			read: (i, item) => {
				if (!item.json.name) throw bad(i);
				return String(item.json.name);
			},
			call: async (inputs) => {
				calls.push(inputs);
				return recordingCall(written)(inputs);
			},
			emit: (result, input) => [{ output: 0, json: { input, result } }],
		});
		expect(calls).toEqual([['ann', 'bob']]);
		expect(written).toEqual(['ann', 'bob']);
		expect(out).toEqual([
			[
				{ json: { input: 'ann', result: 'ANN' }, pairedItem: { item: 0 } },
				{
					json: { error: 'The "Amount" parameter is not a number (item 1)' },
					pairedItem: { item: 1 },
				},
				{ json: { input: 'bob', result: 'BOB' }, pairedItem: { item: 2 } },
			],
		]);
	});

	it('without Continue On Fail, a bad item fails the node before the call writes anything', async () => {
		const written: string[] = [];
		const attempt = mapBatch(contextFor([{ name: 'ann' }, { name: '' }]), {
			outputs: 1,
			read: (i, item) => {
				if (!item.json.name) throw bad(i);
				return String(item.json.name);
			},
			call: recordingCall(written),
			emit: () => [],
		});
		await expect(attempt).rejects.toThrow('The "Amount" parameter is not a number (item 1)');
		await expect(attempt).rejects.toMatchObject({ context: { itemIndex: 1 } });
		expect(written).toEqual([]);
	});

	it('an Error the call answers for one input fails that item only', async () => {
		const written: string[] = [];
		const out = await mapBatch(contextFor([{ n: 'ann' }, { n: 'fail' }, { n: 'bob' }], true), {
			outputs: 2,
			read: (_i, item) => String(item.json.n),
			call: recordingCall(written),
			emit: (result) => [{ output: 0, json: { result } }],
			errorOutput: 1,
		});
		expect(written).toEqual(['ann', 'bob']);
		expect(out[0].map((o) => [o.json.result, o.pairedItem])).toEqual([
			['ANN', { item: 0 }],
			['BOB', { item: 2 }],
		]);
		expect(out[1]).toEqual([
			{ json: { error: 'The cadence store could not be used' }, pairedItem: { item: 1 } },
		]);
	});

	it('without Continue On Fail, an Error for one input throws naming that item', async () => {
		const attempt = mapBatch(contextFor([{ n: 'ann' }, { n: 'fail' }]), {
			outputs: 1,
			read: (_i, item) => String(item.json.n),
			call: recordingCall([]),
			emit: () => [],
		});
		await expect(attempt).rejects.toThrow(NodeApiError);
		await expect(attempt).rejects.toMatchObject({ context: { itemIndex: 1 } });
	});

	it('a call that throws fails every input alike; settled items still go out', async () => {
		const out = await mapBatch(contextFor([{ n: 'ann' }, { n: 'preview' }, { n: 'bob' }], true), {
			outputs: 1,
			read: (_i, item) =>
				item.json.n === 'preview' ? settled({ output: 0, json: { preview: true } }) : 'x',
			call: async () => {
				throw new CadenceStoreError('connect ECONNREFUSED', undefined, 'unreachable');
			},
			emit: () => [{ output: 0, json: { never: true } }],
		});
		expect(out[0]).toEqual([
			{ json: { error: 'The cadence store could not be used' }, pairedItem: { item: 0 } },
			{ json: { preview: true }, pairedItem: { item: 1 } },
			{ json: { error: 'The cadence store could not be used' }, pairedItem: { item: 2 } },
		]);
	});

	it('does not call at all when no item needs it', async () => {
		const call = jest.fn();
		const out = await mapBatch(contextFor([{}]), {
			outputs: 1,
			read: () => settled(),
			call,
			emit: () => [],
		});
		expect(call).not.toHaveBeenCalled();
		expect(out).toEqual([[]]);
	});

	it('refuses a call that answers a different number of results', async () => {
		const attempt = mapBatch(contextFor([{}, {}]), {
			outputs: 1,
			read: () => 'x',
			call: async () => ['only one'],
			emit: () => [],
		});
		await expect(attempt).rejects.toThrow('A batch of 2 inputs answered 1 results');
	});
});

describe('eachInput', () => {
	it('answers each input’s result or Error, in input order, with Continue On Fail', async () => {
		const results = await eachInput(
			contextFor([], true),
			[1, 2, 3],
			async (n) => {
				if (n === 2) throw new Error('two');
				return n * 10;
			},
			2,
		);
		expect(results).toEqual([10, new Error('two'), 30]);
	});

	it('without Continue On Fail, starts no input after the first failure', async () => {
		const started: number[] = [];
		const results = await eachInput(contextFor([]), [1, 2, 3], async (n) => {
			started.push(n);
			if (n === 2) throw new Error('two');
			return n;
		});
		expect(started).toEqual([1, 2]);
		expect(results[1]).toEqual(new Error('two'));
		expect(results[2]).toBeInstanceOf(Error);
	});
});

describe('the batch loop in a real node (Cadence › Mark Sent on a SQLite store)', () => {
	let t: NodeTestStore;
	beforeEach(async () => {
		t = await nodeTestStore();
		await t.store.publishCadence(prospecting);
	});
	afterEach(async () => t.dispose());

	it('a bad item and an unknown step run fail alone; the other items are marked sent', async () => {
		await t.store.enroll(
			['+1', '+2', '+3', '+4'].map((contactKey) => ({
				cadence: 'Prospecting',
				contactKey,
				startAt: Date.now() - 10 * DAY,
			})),
		);
		const claimed = await t.store.claimDue({ cadence: 'Prospecting' });
		const ids = claimed.map((c) => c.stepRun.id);
		const parameters = (i: number): IDataObject => ({
			resource: 'signal',
			operation: 'markSent',
			// Item 1: a bad parameter; item 2: a step run the store does not have.
			stepRun: i === 2 ? '99999' : String(ids[i]),
			options: i === 1 ? { promptTokens: -3 } : {},
		});
		const [out] = await new Cadence().execute.call(
			executeContext({
				type: 'cadence',
				parameters,
				credentials: t.credentials,
				items: ids.map(() => ({ json: {} })),
				continueOnFail: true,
			}),
		);
		expect(out.map((o) => o.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(out[0].json).toMatchObject({ stepRunId: ids[0], status: 'sent' });
		expect(out[1].json).toEqual({ error: expect.stringMatching(/"Prompt Tokens" parameter/) });
		expect(out[2].json).toEqual({ error: expect.stringMatching(/99999/) });
		expect(out[3].json).toMatchObject({ stepRunId: ids[3], status: 'sent' });
		const statuses = await Promise.all(ids.map((id) => t.store.getStepRun({ stepRunId: id })));
		expect(statuses.map((r) => r.status)).toEqual(['sent', 'pending', 'pending', 'sent']);
	});
});
