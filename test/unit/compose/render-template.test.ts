import { CadenceValidationError } from '../../../engine/errors';
import {
	placeholdersIn,
	renderMessage,
	renderTemplate,
} from '../../../engine/compose/render-template';

describe('message templates', () => {
	it('fills variables, with or without spaces inside the braces', () => {
		expect(
			renderMessage('Hi {{firstName}}, your {{ plan }} plan', { firstName: 'Ann', plan: 'Pro' }),
		).toBe('Hi Ann, your Pro plan');
	});

	it('uses the default after | when the variable is missing or blank', () => {
		const template = 'Hi {{ firstName | there }}{{ suffix | }}!';
		expect(renderMessage(template, {})).toBe('Hi there!');
		expect(renderMessage(template, { firstName: '  ' })).toBe('Hi there!');
		expect(renderMessage(template, { firstName: null })).toBe('Hi there!');
		expect(renderMessage('{{greeting|Good morning, friend}}', {})).toBe('Good morning, friend');
	});

	it('writes numbers, booleans and objects as text, and reaches into nested values', () => {
		const vars = { total: 42.5, vip: true, deal: { id: 'D-7' }, 'utm.source': 'ads' };
		expect(renderMessage('{{total}} {{vip}} {{deal.id}} {{utm.source}}', vars)).toBe(
			'42.5 true D-7 ads',
		);
		expect(renderMessage('{{deal}}', vars)).toBe('{"id":"D-7"}');
	});

	it('fails naming each missing variable and both ways to fix it', () => {
		let error: unknown;
		try {
			renderMessage('Hi {{firstName}}, about {{invoiceLink}} and {{firstName}}', {});
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(CadenceValidationError);
		const problems = (error as CadenceValidationError).problems;
		expect(problems.map((p) => p.field)).toEqual(['variables.firstName', 'variables.invoiceLink']);
		expect(problems[0].message).toMatch(/Enroll In Cadence → Variables/);
		expect(problems[0].message).toMatch(/\{\{firstName\|there\}\}/);
	});

	it('leaves what is not a variable name alone, such as an n8n expression', () => {
		expect(renderMessage('Total: {{ $json.total }} {', {})).toBe('Total: {{ $json.total }} {');
	});

	it('in lenient mode keeps a missing placeholder and reports it', () => {
		expect(renderTemplate('Mention {{product}}', {})).toEqual({
			text: 'Mention {{product}}',
			missing: ['product'],
		});
		expect(placeholdersIn('Hi {{ firstName }} and {{x|y}}')).toEqual(['firstName', 'x']);
	});
});
