import { DEFAULT_MODEL_TIMEOUT_MS } from '../../../engine/classify';
import {
	modelTimeLimitProperty,
	readModelTimeLimit,
} from '../../../nodes/shared/fragments/model-time-limit';
import { variablesFrom } from '../../../nodes/shared/fragments/variables';
import { holidaysFrom, workingWeekFrom } from '../../../nodes/shared/fragments/working-hours';
import { executeContext } from '../../support/n8n-context';

/** The shared parameter fragments' readers (nodes/shared/fragments), on their own. */

describe('variablesFrom', () => {
	it('keeps named rows with their values as given, from a list or a single row', () => {
		expect(
			variablesFrom({
				variable: [
					{ name: 'firstName', value: 'Ann' },
					{ name: '', value: 'x' },
				],
			}),
		).toEqual({ firstName: 'Ann' });
		expect(variablesFrom({ variable: { name: 'n', value: 3 } })).toEqual({ n: 3 });
		expect(variablesFrom(undefined)).toEqual({});
	});
});

describe('workingWeekFrom and holidaysFrom', () => {
	it('opens each row’s days, remembers the row of each window, and is null without rows', () => {
		const seen: string[] = [];
		const week = workingWeekFrom(
			[
				{ days: 'weekdays', from: ' 09:00', to: '12:00 ' },
				{ days: 'friday', from: '13:00', to: '15:00' },
			],
			(day, windowIndex, rowIndex) => seen.push(`${day}.${windowIndex}=${rowIndex}`),
		);
		expect(week?.monday).toEqual([{ from: '09:00', to: '12:00' }]);
		expect(week?.friday).toEqual([
			{ from: '09:00', to: '12:00' },
			{ from: '13:00', to: '15:00' },
		]);
		expect(week?.saturday).toBeUndefined();
		expect(seen).toContain('friday.1=1');
		expect(workingWeekFrom([])).toBeNull();
		// An unknown choice stays a key, for the schedule's validation to name.
		expect(workingWeekFrom([{ days: 'someday', from: '09:00', to: '10:00' }])).toEqual({
			someday: [{ from: '09:00', to: '10:00' }],
		});
	});

	it('reads holidays from text or a list', () => {
		expect(holidaysFrom('2026-12-25, 2026-12-26;2027-01-01')).toEqual([
			'2026-12-25',
			'2026-12-26',
			'2027-01-01',
		]);
		expect(holidaysFrom([' 2026-12-25 '])).toEqual(['2026-12-25']);
	});
});

describe('Model Time Limit', () => {
	const context = executeContext({ type: 'test', parameters: {} });

	it('shows the engine’s default and reads an empty value as it', () => {
		expect(modelTimeLimitProperty({}).default).toBe(DEFAULT_MODEL_TIMEOUT_MS / 1000);
		expect(readModelTimeLimit(context, 0, '', 'option')).toBe(DEFAULT_MODEL_TIMEOUT_MS);
		expect(readModelTimeLimit(context, 0, 2.5, 'option')).toBe(2500);
	});

	it('names the parameter, or the option, when out of bounds', () => {
		expect(() => readModelTimeLimit(context, 0, 301, 'parameter')).toThrow(
			'The "Model Time Limit (Seconds)" parameter must be between 1 and 300, not 301',
		);
		expect(() => readModelTimeLimit(context, 0, 'soon', 'option')).toThrow(
			'The "Model Time Limit (Seconds)" option must be between 1 and 300, not "soon"',
		);
	});
});
