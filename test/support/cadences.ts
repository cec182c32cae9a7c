import type { CadenceDefinitionInput } from '../../engine/cadence/definition';

/** The "AI employee" example: 4 h, 24 h, 48 h instructions; reply restarts the chain. */
export const inactivityChain: CadenceDefinitionInput = {
	name: 'Inactivity follow-ups',
	persona: 'Friendly support agent',
	startClock: 'lastAgentMessage',
	reply: { action: 'restart' },
	steps: [
		{
			wait: { amount: 4, unit: 'hours' },
			instruction: 'Remind the user we are available',
			composeMode: 'aiFull',
			staticText: 'Still there?',
		},
		{
			wait: { amount: 24, unit: 'hours' },
			instruction: 'Ask if the question is still relevant',
			composeMode: 'aiFull',
			staticText: 'Is this still relevant?',
		},
		{
			wait: { amount: 48, unit: 'hours' },
			instruction: 'Say a warm goodbye',
			composeMode: 'aiFull',
			staticText: 'Goodbye for now!',
		},
	],
};

/** Prospecting: 3 follow-ups 3 days apart, a reply exits. */
export const prospecting: CadenceDefinitionInput = {
	name: 'Prospecting',
	steps: [1, 2, 3].map((n) => ({
		wait: { amount: 3, unit: 'days' as const },
		staticText: `Follow-up ${n} for {{firstName}}`,
	})),
};

export function withName(definition: CadenceDefinitionInput, name: string): CadenceDefinitionInput {
	return { ...definition, name };
}
