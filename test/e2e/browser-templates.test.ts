import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
	contains,
	Editor,
	importTemplate,
	overlaps,
	readTemplate,
	type NodeBox,
	type TemplateFile,
} from './support/browser';
import { waitFor } from './support/environment';
import { N8nInstance, type CreatedWorkflow, type ExecutionSummary } from './support/n8n-instance';
import { Fatal } from './support/processes';

/**
 * Every template of examples/ opened in the editor as a user imports it (with its pinned sample
 * data): the canvas is readable — no node, name or connection label drawn over another, sticky
 * notes either around a node or clear of it, no node flagged with an issue — and "Execute
 * workflow" runs the sample its sticky note promises, to the end, without waiting for a webhook
 * call or the schedule.
 */
const EXAMPLES = join(__dirname, '..', '..', 'examples');
const files = readdirSync(EXAMPLES)
	.filter((f) => f.endsWith('.json'))
	.sort();

const MANUAL = 'n8n-nodes-base.manualTrigger';
const isTrigger = (type: string) =>
	/trigger$/i.test(type) || type === 'n8n-nodes-base.webhook' || type === MANUAL;

/**
 * The trigger a template's "Try it: click Execute workflow" note means: its Manual Trigger, or
 * the trigger that holds the pinned sample (a webhook that runs with it instead of waiting).
 */
function promisedTrigger(template: TemplateFile): string | undefined {
	const notes = template.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
	if (!notes.some((n) => /Execute workflow/.test(String(n.parameters.content)))) return undefined;
	const on = template.nodes.filter((n) => !n.disabled && isTrigger(n.type));
	const manual = on.find((n) => n.type === MANUAL);
	const pinned = on.find((n) => (template.pinData ?? {})[n.name] !== undefined);
	return (manual ?? pinned)?.name ?? '(no enabled Manual Trigger or pinned trigger)';
}

const samples = files.filter((f) => promisedTrigger(readTemplate(join(EXAMPLES, f))));

let n8n: N8nInstance;
let editor: Editor;
const created = new Map<string, CreatedWorkflow>();

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'browser-templates' });
	try {
		for (const file of files) created.set(file, await importTemplate(n8n, join(EXAMPLES, file)));
		// Enrolling (the samples) needs the cadences published.
		for (const file of files.filter((f) => f.includes('.cadence.')))
			await n8n.activate(created.get(file)!.id);
	} catch (error) {
		throw n8n.withLogs(error);
	}
	editor = await Editor.launch(n8n, 'templates');
	await editor.step('sign in', () => editor.signIn());
}, 420_000);

afterAll(async () => {
	await editor?.close();
	await n8n?.stop();
});

const describeBox = (b: NodeBox) =>
	`${b.name} (${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}×${Math.round(b.height)})`;

test.each(files)(
	'%s: no node drawn over another, notes clear of or around nodes, no issue badges',
	async (file) => {
		await editor.step(`canvas ${file}`, async () => {
			await editor.openWorkflow(created.get(file)!.id);
			await editor.zoomToFit();
			const template = readTemplate(join(EXAMPLES, file));
			// Sticky notes carry no name on the canvas, only their node id.
			const boxes = (await editor.nodeBoxes()).map((b) =>
				b.sticky ? { ...b, name: template.nodes.find((n) => n.id === b.name)?.name ?? b.name } : b,
			);
			expect(boxes.map((b) => b.name).sort()).toEqual(template.nodes.map((n) => n.name).sort());

			const nodes = boxes.filter((b) => !b.sticky);
			const notes = boxes.filter((b) => b.sticky);
			const problems: string[] = [];
			for (const [i, a] of nodes.entries()) {
				for (const b of nodes.slice(i + 1)) {
					if (overlaps(a, b)) problems.push(`${describeBox(a)} overlaps ${describeBox(b)}`);
				}
				for (const note of notes) {
					if (overlaps(a, note) && !contains(note, a))
						problems.push(`${describeBox(a)} sticks out of the note ${describeBox(note)}`);
				}
				if (a.badges.length > 0) problems.push(`${a.name} shows ${a.badges.join(', ')}`);
			}
			expect(problems).toEqual([]);
		});
	},
);

/** The finished manual executions of a workflow, newest first, with their run data. */
async function manualRuns(workflowId: string): Promise<ExecutionSummary[]> {
	const all = await n8n.executions(workflowId, { includeData: true });
	return all.filter((e) => e.mode === 'manual' && (e.finished || e.stoppedAt));
}

test.each(samples)(
	'%s: "Execute workflow" runs the sample the note promises, to the end',
	async (file) => {
		const template = readTemplate(join(EXAMPLES, file));
		const trigger = promisedTrigger(template)!;
		const { id } = created.get(file)!;
		await editor.step(`execute ${file}`, async () => {
			await editor.openWorkflow(id);
			const before = (await manualRuns(id)).length;
			const button = editor.page.getByTestId('execute-workflow-button');
			await button.click();
			const run = await waitFor(
				`the run started by "Execute workflow" on ${file} (it should start from "${trigger}")`,
				async () => {
					const label = await button.innerText().catch(() => '');
					if (/waiting for trigger event/i.test(label)) {
						throw new Fatal(
							`"Execute workflow" is waiting for a trigger event instead of running "${trigger}"`,
						);
					}
					const runs = await manualRuns(id);
					return runs.length > before ? runs[0] : undefined;
				},
				{ timeoutMs: 60_000, intervalMs: 1000, fatal: Fatal },
			).catch(async (error: Error) => {
				// Leave the editor idle for the next template (stop the listening webhook).
				await editor.page.keyboard.press('Escape');
				throw error;
			});
			const ran = Object.keys(run.data?.resultData.runData ?? {});
			const triggersRan = ran.filter((name) => {
				const node = template.nodes.find((n) => n.name === name);
				return node !== undefined && isTrigger(node.type);
			});
			expect({ file, triggersRan }).toEqual({ file, triggersRan: [trigger] });
			expect({ file, status: run.status, error: run.data?.resultData.error?.message }).toEqual({
				file,
				status: 'success',
				error: undefined,
			});
			// The sample went past its trigger: it reached this package's nodes.
			const ours = ran.filter((name) =>
				template.nodes.some((n) => n.name === name && n.type.startsWith('n8n-nodes-cadence.')),
			);
			expect({ file, reachedCadenceNodes: ours.length > 0 }).toEqual({
				file,
				reachedCadenceNodes: true,
			});
		});
	},
);
