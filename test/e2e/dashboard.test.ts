import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { SqlDriver } from '../../engine/store/sql/driver';
import { rawDriver } from '../support/raw-sql';
import {
	AGENTS,
	dashboardBrowser,
	dashboardScreenshots,
	seedDashboard,
	XSS_MESSAGE,
	XSS_NAME,
	type Seeded,
} from './support/dashboard-seed';
import { N8nInstance } from './support/n8n-instance';
import { cadenceType, node, noOp, workflow } from './support/workflows';

/**
 * The Cadence Dashboard in a real n8n, opened in a real Chromium: a few hundred enrollments
 * written into the store n8n uses; every expectation is computed independently with raw SQL on
 * that store, never by the code under test.
 */
const PATH = 'e2e-dashboard';
const LOGIN = { username: 'ana', password: 'dashboard-Secret-1' };
const RUNNING = "state IN ('active', 'paused')";
const NEXT = 'COALESCE(e.next_due_at, e.held_due_at)';
/** Leaves the stuck steps alone, so the reports still show every one of them. */
const NOT_IN_FLIGHT =
	"id NOT IN (SELECT enrollment_id FROM step_runs WHERE status IN ('pending', 'scheduled'))";

let n8n: N8nInstance;
let db: SqlDriver;
let seeded: Seeded;
let browser: BrowserContext;
let page: Page;
let dialogs: string[];
let url: string;

const shots = () => dashboardScreenshots();

/** Saves a screenshot when the body fails, named after the test, then fails as it did. */
async function withScreenshot(name: string, body: () => Promise<void>) {
	try {
		await body();
	} catch (error) {
		await page
			.screenshot({ path: join(shots(), `dashboard-${name}-failed.png`), fullPage: true })
			.catch(() => undefined);
		throw error;
	}
}

const ids = (rows: Array<{ id: unknown }>) => rows.map((r) => Number(r.id));
const shownIds = async () =>
	(
		await page
			.locator('tr.row')
			.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-enrollment')))
	).map(Number);

/** On a busy machine n8n's first start (its own migrations) can outlast the harness's wait. */
async function startN8n(): Promise<N8nInstance> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await N8nInstance.start({ name: 'dashboard' });
		} catch (error) {
			if (attempt >= 3 || !/Timed out/.test(String(error))) throw error;
			process.stdout.write(`[e2e] dashboard: n8n did not start in time, attempt ${attempt + 1}\n`);
		}
	}
}

beforeAll(async () => {
	n8n = await startN8n();
	seeded = await seedDashboard(n8n.storePath, Date.now());
	db = rawDriver({ kind: 'sqlite', path: n8n.storePath });
	const login = await n8n.createCredential('Dashboard login', 'httpBasicAuth', {
		user: LOGIN.username,
		password: LOGIN.password,
	});
	const dashboard = node(
		'Cadence Dashboard',
		cadenceType('cadenceDashboard'),
		{ path: PATH, options: { rowsPerPage: 50 } },
		{ webhookId: randomUUID(), credentials: { httpBasicAuth: login } },
	);
	const wf = await n8n.createWorkflow(
		workflow('Dashboard', [dashboard, noOp('Changes')], [['Cadence Dashboard', 'Changes']]),
	);
	await n8n.activate(wf.id);
	url = `${n8n.url}/webhook/${PATH}`;
	({ context: browser, page, dialogs } = await dashboardBrowser(LOGIN));
}, 600_000);

afterAll(async () => {
	await browser?.close().catch(() => undefined);
	await db?.close().catch(() => undefined);
	await n8n?.stop();
});

describe('access', () => {
	it('answers 401 without a login or with a wrong one, and shows no contact data', async () => {
		for (const authorization of [
			undefined,
			`Basic ${Buffer.from(`${LOGIN.username}:wrong`).toString('base64')}`,
		]) {
			for (const target of [url, `${url}?view=reports`, `${url}?enrollment=1`]) {
				const res = await fetch(target, { headers: authorization ? { authorization } : {} });
				const body = await res.text();
				expect([target, res.status]).toEqual([target, 401]);
				expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
				expect(body).not.toMatch(/@example\.com|Michael|Irina|Welcome/);
			}
		}
		const post = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'action=cancel&enrollment=1&token=x',
		});
		expect(post.status).toBe(401);
		const [row] = await db.all<{ state: string }>('SELECT state FROM enrollments WHERE id = 1');
		expect(row.state).not.toBe('exited');
	});
});

describe('the list', () => {
	it('shows the follow-ups to come, sorted by the next one, paged on the server', async () => {
		await withScreenshot('list', async () => {
			await page.goto(url);
			const expected = await db.all<{ id: number }>(
				`SELECT e.id FROM enrollments e WHERE e.${RUNNING}
				ORDER BY ${NEXT} IS NULL, ${NEXT}, e.id LIMIT 50`,
			);
			expect(await shownIds()).toEqual(ids(expected));
			await page.screenshot({ path: join(shots(), 'dashboard-list.png') });
			await page.getByRole('link', { name: 'Next →' }).click();
			const second = await db.all<{ id: number }>(
				`SELECT e.id FROM enrollments e WHERE e.${RUNNING}
				ORDER BY ${NEXT} IS NULL, ${NEXT}, e.id LIMIT 50 OFFSET 50`,
			);
			expect(await shownIds()).toEqual(ids(second));
		});
	});

	it('narrows to the right rows by search, agent, cadence and state', async () => {
		await withScreenshot('filters', async () => {
			await page.goto(url);
			await page.getByRole('searchbox', { name: 'Search' }).fill('michael');
			await page.getByRole('button', { name: 'Search' }).click();
			const michaels = await db.all<{ id: number }>(
				`SELECT id FROM enrollments WHERE ${RUNNING} AND contact_name LIKE '%Michael%'`,
			);
			expect(michaels.length).toBeGreaterThan(5);
			expect((await shownIds()).sort()).toEqual(ids(michaels).sort());

			await page.getByRole('searchbox', { name: 'Search' }).fill('');
			await page.getByLabel('Agent').selectOption('Alexey');
			await page.getByLabel('Cadence').selectOption({ label: 'Billing' });
			await page.getByRole('button', { name: 'Search' }).click();
			const alexeyBilling = await db.all<{ id: number }>(
				`SELECT e.id FROM enrollments e JOIN cadences c ON c.id = e.cadence_id
				WHERE e.${RUNNING} AND e.agent = 'Alexey' AND c.name = 'Billing'`,
			);
			expect(alexeyBilling.length).toBeGreaterThan(5);
			expect((await shownIds()).sort()).toEqual(ids(alexeyBilling).sort());
			for (const agent of await page.locator('tr.row td:nth-child(2)').allTextContents())
				expect(agent).toBe('Alexey');

			await page.getByLabel('Agent').selectOption('');
			await page.getByLabel('Cadence').selectOption('');
			await page.getByLabel('State').selectOption('paused');
			await page.getByRole('button', { name: 'Search' }).click();
			const paused = await db.all<{ id: number }>(
				"SELECT id FROM enrollments WHERE state = 'paused'",
			);
			expect((await shownIds()).sort()).toEqual(ids(paused).sort());
			const offered = await page.locator('select[name=agent] option').allTextContents();
			expect(offered.filter((a) => a !== 'All agents').sort()).toEqual([...AGENTS].sort());
		});
	});
});

describe('a contact', () => {
	it('opens the clicked contact with the conversation in order', async () => {
		await withScreenshot('contact', async () => {
			await page.goto(`${url}?q=${encodeURIComponent(seeded.chattyKey)}`);
			await page.locator('tr.row a.open').first().click();
			await page.waitForSelector('#contact-name');
			const [enrollment] = await db.all<{ id: number; contact_name: string }>(
				'SELECT id, contact_name FROM enrollments WHERE contact_key = ?',
				[seeded.chattyKey],
			);
			expect(await page.locator('#contact-name').textContent()).toBe(enrollment.contact_name);
			expect(page.url()).toContain(`enrollment=${enrollment.id}`);
			const messages = await db.all<{ text: string }>(
				"SELECT text FROM messages WHERE contact_key = ? AND conversation_key = 'chat-7' ORDER BY at, id",
				[seeded.chattyKey],
			);
			expect(messages.length).toBeGreaterThanOrEqual(4);
			const shown = await page
				.locator('#conversation li')
				.evaluateAll((items) =>
					items.map((li) => (li.textContent ?? '').split('\n').slice(1).join('\n')),
				);
			expect(shown).toEqual(messages.map((m) => m.text));
			expect(await page.locator('#plan tbody tr').count()).toBeGreaterThan(0);
			await page.screenshot({ path: join(shots(), 'dashboard-contact.png'), fullPage: true });
		});
	});

	it('pauses and resumes, each in the state and the timeline with who did it', async () => {
		await withScreenshot('pause', async () => {
			const [target] = await db.all<{ id: number }>(
				`SELECT id FROM enrollments WHERE state = 'active' AND agent = 'Maria' AND ${NOT_IN_FLIGHT}
				ORDER BY id LIMIT 1`,
			);
			await page.goto(`${url}?enrollment=${target.id}`);
			await page.getByRole('button', { name: 'Pause' }).click();
			await expect(page.locator('#state').textContent()).resolves.toBe('paused');
			const state = async () =>
				(
					await db.all<{ state: string }>('SELECT state FROM enrollments WHERE id = ?', [target.id])
				)[0].state;
			expect(await state()).toBe('paused');
			expect(await page.locator('#timeline li[data-event=paused]').last().textContent()).toContain(
				`by ${LOGIN.username}`,
			);
			await page.getByRole('button', { name: 'Resume' }).click();
			await expect(page.locator('#state').textContent()).resolves.toBe('active');
			expect(await state()).toBe('active');
			expect(await page.locator('#timeline li[data-event=resumed]').last().textContent()).toContain(
				`by ${LOGIN.username}`,
			);
			const events = await db.all<{ type: string; detail: string }>(
				"SELECT type, detail FROM events WHERE enrollment_id = ? AND type IN ('paused', 'resumed') ORDER BY id",
				[target.id],
			);
			expect(events.map((e) => [e.type, JSON.parse(e.detail).by])).toEqual([
				['paused', LOGIN.username],
				['resumed', LOGIN.username],
			]);
		});
	});

	it('renders a contact name and a message made of HTML as text, and runs no script', async () => {
		await withScreenshot('xss', async () => {
			await page.goto(`${url}?q=xss`);
			expect(await page.locator('tr.row a.open').textContent()).toBe(XSS_NAME);
			await page.locator('tr.row a.open').first().click();
			expect(await page.locator('#contact-name').textContent()).toBe(XSS_NAME);
			expect(await page.locator('#conversation li').first().textContent()).toContain(XSS_MESSAGE);
			expect(await page.locator('main img, main script').count()).toBe(0);
			const ran = await page.evaluate(() => {
				const w = globalThis as unknown as { __alerts: number; __pwned?: number };
				return { alerts: w.__alerts, pwned: w.__pwned ?? null };
			});
			expect(ran).toEqual({ alerts: 0, pwned: null });
			expect(dialogs).toEqual([]);
			const res = await page.request.get(`${url}?q=xss`);
			expect(res.headers()['content-security-policy']).toMatch(/default-src 'none'/);
			expect(res.headers()['content-security-policy']).not.toMatch(/script-src/);
		});
	});
});

describe('action tokens', () => {
	const auth = `Basic ${Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString('base64')}`;
	const formOf = async (enrollmentId: number) => {
		const html = await (
			await fetch(`${url}?enrollment=${enrollmentId}`, { headers: { authorization: auth } })
		).text();
		return /name="token" value="([^"]+)"/.exec(html)![1];
	};
	const post = (fields: Record<string, string>) =>
		fetch(url, {
			method: 'POST',
			redirect: 'manual',
			headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(fields).toString(),
		});
	const eventCount = async (id: number) =>
		(
			await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE enrollment_id = ?', [id])
		)[0].n;

	it('changes nothing for a tampered, a foreign or a replayed token; nothing changes on a GET', async () => {
		const [target, other] = await db.all<{ id: number }>(
			`SELECT id FROM enrollments WHERE state = 'active' AND agent = 'Tom' AND ${NOT_IN_FLIGHT}
			ORDER BY id LIMIT 2`,
		);
		const token = await formOf(target.id);
		const before = await eventCount(target.id);
		const [payload, signature] = token.split('.');
		const flipped = `${payload}.${signature.slice(0, -2)}${signature.endsWith('A') ? 'BB' : 'AA'}`;
		expect(
			(await post({ action: 'cancel', enrollment: String(target.id), token: flipped })).status,
		).toBe(403);
		// A token made for another enrollment's page does not work on this one.
		const foreign = await formOf(other.id);
		expect(
			(await post({ action: 'cancel', enrollment: String(target.id), token: foreign })).status,
		).toBe(403);
		// A GET with the same fields shows a page and changes nothing.
		await fetch(`${url}?action=cancel&enrollment=${target.id}&token=${encodeURIComponent(token)}`, {
			headers: { authorization: auth },
		});
		expect(await eventCount(target.id)).toBe(before);

		const first = await post({ action: 'pause', enrollment: String(target.id), token });
		expect(first.status).toBe(303);
		expect(await eventCount(target.id)).toBe(before + 1);
		const replay = await post({ action: 'resume', enrollment: String(target.id), token });
		expect(replay.status).toBe(409);
		expect(await eventCount(target.id)).toBe(before + 1);
		const [row] = await db.all<{ state: string }>('SELECT state FROM enrollments WHERE id = ?', [
			target.id,
		]);
		expect(row.state).toBe('paused');
	});
});

describe('reports', () => {
	it('shows the same numbers as the store holds', async () => {
		await withScreenshot('reports', async () => {
			await page.goto(`${url}?view=reports`);
			await page.screenshot({ path: join(shots(), 'dashboard-reports.png'), fullPage: true });
			const replied = await db.all<{ name: string; n: number }>(
				`SELECT c.name, COUNT(*) AS n FROM step_runs r JOIN cadences c ON c.id = r.cadence_id
				WHERE r.status = 'replied' GROUP BY c.name`,
			);
			expect(replied.reduce((sum, r) => sum + Number(r.n), 0)).toBeGreaterThan(10);
			for (const { name, n } of replied) {
				const cells = await page
					.locator(`#funnel tr[data-cadence="${name}"] td[data-replied]`)
					.allTextContents();
				expect([name, cells.reduce((sum, c) => sum + Number(c), 0)]).toEqual([name, Number(n)]);
				// Every enrollment is on version 1: the by-version table holds the same replies.
				const byVersion = page.locator(`#by-version tr[data-cadence="${name}"][data-group="1"]`);
				expect(Number(await byVersion.locator('td').nth(3).textContent())).toBe(Number(n));
			}
			const states = await db.all<{ name: string; state: string; n: number }>(
				`SELECT c.name, e.state, COUNT(*) AS n FROM enrollments e JOIN cadences c ON c.id = e.cadence_id
				GROUP BY c.name, e.state`,
			);
			for (const { name, state, n } of states) {
				const cell = page.locator(`#states tr[data-cadence="${name}"] td[data-state="${state}"]`);
				expect([name, state, Number(await cell.textContent())]).toEqual([name, state, Number(n)]);
			}
			const agents = await db.all<{ agent: string; n: number }>(
				'SELECT agent, COUNT(*) AS n FROM enrollments GROUP BY agent',
			);
			for (const { agent, n } of agents) {
				const cell = page.locator(`#agents tr[data-agent="${agent}"] td[data-count=total]`);
				expect([agent, Number(await cell.textContent())]).toEqual([agent, Number(n)]);
			}
		});
	});

	it('lists the stuck follow-ups and retries one', async () => {
		await withScreenshot('stuck', async () => {
			await page.goto(`${url}?view=reports`);
			const stuck = await db.all<{ id: number; enrollment_id: number }>(
				`SELECT r.id, r.enrollment_id FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
				WHERE r.status IN ('pending', 'scheduled') AND e.${RUNNING} ORDER BY r.id`,
			);
			expect(stuck.length).toBe(seeded.stuckKeys.length);
			const shown = await page
				.locator('#stuck tbody tr')
				.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-step-run'))));
			expect(shown.sort()).toEqual(ids(stuck).sort());
			await page.locator(`#stuck tr[data-step-run="${stuck[0].id}"] button`).click();
			await expect(page.locator('.flash').textContent()).resolves.toContain('handed out again');
			const [retried] = await db.all<{ n: number }>(
				"SELECT COUNT(*) AS n FROM events WHERE enrollment_id = ? AND type = 'retried'",
				[stuck[0].enrollment_id],
			);
			expect(Number(retried.n)).toBe(1);
		});
	});
});
