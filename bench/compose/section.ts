import {
	compose,
	mapConcurrent,
	type ChatModelLike,
	type ComposeRequest,
} from '../../engine/compose';
import { millis, times, whole } from '../lib/markdown';
import type { BenchContext, Section, SectionReport } from '../lib/report';
import { rate, timed } from '../lib/stats';

/**
 * Compose Follow-up's own cost around a model: a stub chat model answers after a fixed latency,
 * so what is measured is the engine (prompt, guardrails, bookkeeping) and how well the
 * concurrency limit hides the model's latency — the figure a user feels with many due steps.
 */

const LATENCY_MS = 50;

/** A chat model that answers with a different sentence each time, after a fixed delay. */
function stubModel(latencyMs: number): ChatModelLike {
	let n = 0;
	return {
		invoke: async () => {
			await new Promise((resolve) => setTimeout(resolve, latencyMs));
			n++;
			return {
				content: `Hi Ann, a quick note number ${n}: is the Pro plan still on your list this week?`,
				usage_metadata: { input_tokens: 300, output_tokens: 20 },
				response_metadata: { model_name: 'stub' },
			};
		},
	};
}

function request(): ComposeRequest {
	return {
		mode: 'aiFull',
		instruction: 'Ask whether the Pro question is still relevant',
		staticText: 'Hi {{firstName}}, still there?',
		persona: 'Anna from Acme support: warm, brief, never pushy.',
		variables: { firstName: 'Ann', plan: 'Pro' },
		history: [
			{ author: 'contact', text: 'How much is the Pro plan for 12 seats?' },
			{ author: 'agent', text: 'It is $240 a month. Want a trial?' },
			{
				author: 'followUp',
				text: 'Hi Ann, just checking in: did you get a chance to look at the trial?',
			},
		],
		maxLength: 600,
		language: 'auto',
		timeoutMs: 10_000,
	};
}

async function draftsPerSecond(
	count: number,
	concurrency: number,
): Promise<{ perSecond: number; ms: number }> {
	const model = stubModel(LATENCY_MS);
	const items = Array.from({ length: count }, request);
	const { ms } = await timed(() => mapConcurrent(items, concurrency, (r) => compose(r, { model })));
	return { perSecond: rate(count, ms), ms };
}

export const composeSection: Section = {
	id: 'compose',
	title: 'Compose Follow-up with a stub chat model',
	async run(ctx: BenchContext): Promise<SectionReport> {
		const count = ctx.mode === 'full' ? 400 : 80;
		const rows: string[][] = [];
		let sequential = Number.NaN;
		for (const concurrency of [1, 4, 16]) {
			ctx.log(`compose: ${count} drafts, concurrency ${concurrency}`);
			const { perSecond, ms } = await draftsPerSecond(count, concurrency);
			if (concurrency === 1) sequential = perSecond;
			const ideal = (1000 / LATENCY_MS) * concurrency;
			rows.push([
				String(concurrency),
				whole(perSecond),
				millis(ms / count),
				times(perSecond / sequential),
				`${Math.round((perSecond / ideal) * 100)}%`,
			]);
		}
		return {
			title: this.title,
			columns: [
				'concurrency',
				'drafts/s',
				'per draft',
				'vs sequential',
				'of the model-bound ideal',
			],
			rows,
			notes: [
				`The stub model answers after ${LATENCY_MS} ms; ${count} drafts per row. The ideal is ` +
					'concurrency × 1000 / latency drafts per second; the gap to it is the engine’s own work.',
			],
		};
	},
};
