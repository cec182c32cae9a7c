import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pkg, registeredNodes, root } from '../../support/registered-nodes';

/**
 * The node panel: what n8n's editor does with each node's codex (Foo.node.json).
 *
 * - Its search leaves out every node whose codex categories include "AI" unless the node is an
 *   AI root node, and lists it only under AI → search (useViewStacks' filterOutAiNodes): a main
 *   node that merely has AI inputs must not carry that category.
 * - Its search matches what the user types against the display name and each `alias` entry:
 *   lower-cased, a trailing "trigger" word dropped, every typed character found in order
 *   (sublimeSearch's fuzzy match). A word typed whole and in one piece ranks highest.
 */

const nodes = registeredNodes();

/** The words a user types to find each node, besides its own name. */
const SEARCH_WORDS: Record<string, string[]> = {
	followUpTrigger: ['follow up', 'follow-up', 'cadence', 'trigger'],
	enrollInCadence: ['enroll', 'follow up', 'follow-up', 'cadence'],
	cadence: ['cadence', 'follow up', 'follow-up', 'simulate', 'funnel'],
	exitCheck: ['reply', 'opt-out', 'follow up', 'follow-up', 'cadence'],
	waitUntilWorkingHours: ['working hours', 'business hours', 'follow up', 'follow-up', 'cadence'],
	composeFollowUp: ['compose', 'approval', 'follow up', 'follow-up', 'cadence'],
	awaitApproval: ['approval', 'human in the loop', 'follow up', 'follow-up', 'cadence'],
	recordReply: ['reply', 'opt-out', 'follow up', 'follow-up', 'cadence'],
	routeByChannel: ['channel', 'whatsapp', 'sms', 'follow up', 'cadence'],
};
/** Words every node of the package answers to, including ones added later. */
const EVERY_NODE = ['cadence'];

/** The editor drops a last word that "trigger" starts with: "Telegram Tri" finds the Telegram group. */
function withoutTrailingTrigger(typed: string): string {
	const words = typed.split(' ');
	const last = words[words.length - 1].toLowerCase();
	if (words.length > 1 && 'trigger'.startsWith(last)) return words.slice(0, -1).join(' ').trim();
	return typed;
}

/** Every typed character appears in the target, in order (case-insensitive). */
function inOrder(typed: string, target: string): boolean {
	let at = 0;
	const t = target.toLowerCase();
	for (const ch of typed) {
		at = t.indexOf(ch, at);
		if (at < 0) return false;
		at++;
	}
	return typed.length > 0;
}

function searchTargets(displayName: string, alias: string[] = []): string[] {
	return [displayName, ...alias];
}

/** Whether the editor's search lists the node, and whether the word is there whole. */
function searchFinds(typed: string, targets: string[]) {
	const filter = withoutTrailingTrigger(typed).toLowerCase();
	return {
		listed: targets.some((target) => inOrder(filter, target)),
		whole: targets.some((target) => target.toLowerCase().includes(filter)),
	};
}

/** GitHub's and npm's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function headingAnchors(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	let fenced = false;
	for (const line of markdown.split('\n')) {
		if (line.startsWith('```')) fenced = !fenced;
		const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
		if (!heading) continue;
		const slug = heading[1]
			.trim()
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\s_-]/gu, '')
			.replace(/\s/g, '-');
		const n = seen.get(slug) ?? 0;
		seen.set(slug, n + 1);
		anchors.add(n === 0 ? slug : `${slug}-${n}`);
	}
	return anchors;
}

describe('the search helpers match the way the editor does', () => {
	it('finds by characters in order, and drops a trailing "trigger" word', () => {
		expect(searchFinds('compose', ['Compose Follow-up']).whole).toBe(true);
		expect(searchFinds('follow up', ['Follow-up Trigger']).listed).toBe(false);
		expect(searchFinds('fllw', ['Follow-up Trigger'])).toEqual({ listed: true, whole: false });
		expect(searchFinds('follow-up trig', ['Follow-up Trigger']).whole).toBe(true);
		expect(withoutTrailingTrigger('Follow-up Trigger')).toBe('Follow-up');
	});

	it('builds heading anchors like GitHub and npm', () => {
		const anchors = headingAnchors('# A\n## Compose Follow-up\n```\n# not a heading\n```\n## A');
		expect([...anchors]).toEqual(['a', 'compose-follow-up', 'a-1']);
	});
});

describe.each(nodes.map((n) => [n.node.description.name, n] as const))(
	'%s in the node panel',
	(name, { node, codex }) => {
		const { displayName } = node.description;
		const targets = searchTargets(displayName, codex.alias);

		it('is a main node without the AI category, so ordinary search lists it', () => {
			expect(codex.categories ?? []).not.toContain('AI');
			expect(codex.subcategories?.AI).toBeUndefined();
		});

		it('sits in a node-panel category with a subcategory', () => {
			const categories = codex.categories ?? [];
			expect(categories).toContain('Core Nodes');
			expect((codex.subcategories?.['Core Nodes'] ?? []).length).toBeGreaterThan(0);
			for (const category of Object.keys(codex.subcategories ?? {}))
				expect(categories).toContain(category);
		});

		it.each([displayName, ...(SEARCH_WORDS[name] ?? []), ...EVERY_NODE])(
			'is found by "%s", typed whole',
			(typed) => {
				expect(searchFinds(typed, targets)).toEqual({ listed: true, whole: true });
				expect(searchFinds(typed.toUpperCase(), targets).whole).toBe(true);
			},
		);

		it('links its Docs to its own section of the README', () => {
			const urls = (codex.resources?.primaryDocumentation ?? []).map((d) => d.url);
			expect(urls).toHaveLength(1);
			const url = new URL(urls[0]);
			expect(`${url.origin}${url.pathname}`).toBe(`https://www.npmjs.com/package/${pkg.name}`);
			const readme = readFileSync(join(root, 'README.md'), 'utf8');
			expect(headingAnchors(readme)).toContain(url.hash.slice(1));
			// Its own section: the heading is the node's display name.
			expect(url.hash.slice(1)).toBe([...headingAnchors(`## ${displayName}`)][0]);
		});
	},
);
