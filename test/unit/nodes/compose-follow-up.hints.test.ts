import type { NodeExecutionHint } from 'n8n-workflow';
import { ComposeFollowUp } from '../../../nodes/ComposeFollowUp/ComposeFollowUp.node';
import { executeContext } from '../../support/n8n-context';
import { UsageFakeModel } from '../compose/fake-models';

/**
 * "Connect a chat model" shows only when it applies: the run had AI work and no model. A notice
 * among the parameters cannot see the Chat Model connection, so it would show either way.
 */
const node = new ComposeFollowUp();
const GOOD = 'Hi Ann, is the Pro plan question still open? Happy to help this week.';

async function hintsOf(mode: string, model?: unknown): Promise<NodeExecutionHint[]> {
	const hints: NodeExecutionHint[] = [];
	await node.execute.call(
		executeContext({
			type: 'composeFollowUp',
			parameters: {
				mode,
				instruction: 'Ask whether the plan question is still open',
				options: { staticText: 'Hi {{firstName}}, still there?' },
			},
			items: [{ json: { firstName: 'Ann' } }],
			inputConnections: model ? { ai_languageModel: model } : {},
			hints,
		}),
	);
	return hints;
}

it('tells the user to connect a chat model when AI steps ran without one', async () => {
	const hints = await hintsOf('aiFull');
	expect(hints).toEqual([
		expect.objectContaining({
			type: 'warning',
			location: 'outputPane',
			message: expect.stringMatching(/^No chat model is connected to the Chat Model input/),
		}),
	]);
});

it('says nothing about a model when one is connected, or when no step needs the AI', async () => {
	expect(await hintsOf('aiFull', new UsageFakeModel([GOOD]))).toEqual([]);
	expect(await hintsOf('static')).toEqual([]);
});

it('has no parameter notice about the chat model, which would show even with one connected', () => {
	const notices = node.description.properties.filter((p) => p.type === 'notice');
	expect(notices.filter((n) => /chat model/i.test(n.displayName))).toEqual([]);
});
