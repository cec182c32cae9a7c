import { mapConcurrent } from '../../../engine/compose/concurrency';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapConcurrent', () => {
	it('never runs more than the limit at once, and keeps the input order', async () => {
		let inFlight = 0;
		let peak = 0;
		const results = await mapConcurrent([5, 1, 4, 2, 3, 1, 2], 3, async (n, i) => {
			peak = Math.max(peak, ++inFlight);
			await tick(n * 3);
			inFlight--;
			return `${i}:${n}`;
		});
		expect(peak).toBe(3);
		expect(results).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:1', '6:2']);
	});

	it('runs everything one by one with a limit of 1, and handles no items', async () => {
		const order: number[] = [];
		await mapConcurrent([1, 2, 3], 1, async (n) => {
			order.push(n);
			await tick(1);
		});
		expect(order).toEqual([1, 2, 3]);
		expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
	});

	it('after a failure starts nothing new, lets running calls finish, then throws', async () => {
		const started: number[] = [];
		const finished: number[] = [];
		const attempt = mapConcurrent([0, 1, 2, 3, 4, 5], 2, async (n) => {
			started.push(n);
			if (n === 1) throw new Error('item 1 failed');
			await tick(10);
			finished.push(n);
		});
		await expect(attempt).rejects.toThrow('item 1 failed');
		expect(started).toEqual([0, 1]);
		expect(finished).toEqual([0]);
	});
});
