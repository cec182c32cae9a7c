import type { ICredentialDataDecryptedObject, IDataObject, IWebhookFunctions } from 'n8n-workflow';
import { CadenceDashboard } from '../../../nodes/CadenceDashboard/CadenceDashboard.node';
import { checkToken, issueToken } from '../../../nodes/CadenceDashboard/action-token';
import { properties } from '../../../nodes/CadenceDashboard/properties';
import { prospecting } from '../../support/cadences';
import { nodeTestStore, type NodeTestStore } from '../../support/n8n-context';

/**
 * The dashboard node's webhook with a stand-in for n8n's request and response, against a real
 * SQLite store: who gets in, what each setting changes, and that a change needs a fresh token.
 */

interface Response {
	status: number;
	headers: Record<string, string>;
	body: string;
}

const BASIC = { user: 'ana', password: 'pw-123456' };
const basic = (user: string, password: string) =>
	`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(prospecting);
});
afterEach(async () => t.dispose());

async function call(request: {
	method?: 'GET' | 'POST';
	query?: IDataObject;
	body?: IDataObject;
	headers?: Record<string, string>;
	parameters?: IDataObject;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
}) {
	const response: Response = { status: 200, headers: {}, body: '' };
	const res = {
		status(code: number) {
			response.status = code;
			return res;
		},
		setHeader(name: string, value: string) {
			response.headers[name.toLowerCase()] = value;
		},
		send(body: string) {
			response.body = body;
		},
		end() {},
	};
	const parameters: IDataObject = {
		path: 'follow-ups',
		authentication: 'basicAuth',
		options: {},
		...request.parameters,
	};
	const credentials: Record<string, ICredentialDataDecryptedObject> = {
		...t.credentials,
		httpBasicAuth: BASIC,
		...request.credentials,
	};
	const context = {
		getNode: () => ({
			name: 'Cadence Dashboard',
			credentials: Object.fromEntries(
				Object.keys(credentials).map((k) => [k, { id: '1', name: `My ${k}` }]),
			),
		}),
		getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
		getCredentials: async (name: string) => credentials[name],
		getHeaderData: () => request.headers ?? { authorization: basic(BASIC.user, BASIC.password) },
		getQueryData: () => request.query ?? {},
		getBodyData: () => request.body ?? {},
		getRequestObject: () => ({ method: request.method ?? 'GET' }),
		getResponseObject: () => res,
		getTimezone: () => 'UTC',
	} as unknown as IWebhookFunctions;
	const result = await new CadenceDashboard().webhook.call(context);
	return { ...response, result };
}

const enroll = async (count: number, extra: IDataObject = {}) => {
	const inputs = Array.from({ length: count }, (_, i) => ({
		cadence: 'Prospecting',
		contactKey: `c${i}@example.com`,
		contactName: `Contact ${i}`,
		agent: 'Irina',
		...extra,
	}));
	return (await t.store.enroll(inputs)).map((r) => r.enrollment!);
};
const tokenOf = (html: string) => /name="token" value="([^"]+)"/.exec(html)![1];

describe('who gets in', () => {
	it('asks for the login, and shows no contact data without the right one', async () => {
		await enroll(2);
		const attempts: Array<Record<string, string>> = [{}, { authorization: basic('ana', 'wrong') }];
		for (const headers of attempts) {
			const r = await call({ headers });
			expect(r.status).toBe(401);
			expect(r.headers['www-authenticate']).toMatch(/^Basic realm=/);
			expect(r.body).not.toContain('Contact 0');
		}
		const ok = await call({});
		expect(ok.status).toBe(200);
		expect(ok.body).toContain('Contact 0');
		expect(ok.body).toContain('Signed in as ana');
	});

	it('stays closed until a login credential is picked', async () => {
		await enroll(1);
		const r = await call({ credentials: { httpBasicAuth: undefined as never } });
		expect(r.status).toBe(401);
		expect(r.body).toContain('no login yet');
		expect(r.body).not.toContain('Contact 0');
	});

	it('lets a login proxy in by its header, naming the credential as who', async () => {
		await enroll(1);
		const parameters = { authentication: 'headerAuth' };
		const credentials = { httpHeaderAuth: { name: 'X-Proxy-Secret', value: 's3cret' } };
		const denied = await call({ parameters, credentials, headers: { 'x-proxy-secret': 'nope' } });
		expect(denied.status).toBe(401);
		const ok = await call({ parameters, credentials, headers: { 'x-proxy-secret': 's3cret' } });
		expect(ok.status).toBe(200);
		expect(ok.body).toContain('Signed in as My httpHeaderAuth');
	});

	it('opens for anyone only when asked to, with a warning shown on the node', async () => {
		await enroll(1);
		const open = await call({ parameters: { authentication: 'none' }, headers: {} });
		expect(open.status).toBe(200);
		const warning = properties.find((p) => p.name === 'unprotectedWarning')!;
		expect(warning.displayOptions?.show).toEqual({ authentication: ['none'] });
		expect(warning.displayName).toMatch(/Anyone who finds this address/);
	});

	it('sends a strict Content-Security-Policy with no script allowed', async () => {
		const r = await call({});
		const csp = r.headers['content-security-policy'];
		expect(csp).toMatch(/default-src 'none'/);
		expect(csp).not.toMatch(/script-src|unsafe-inline/);
		const nonce = /style-src 'nonce-([^']+)'/.exec(csp)![1];
		expect(r.body).toContain(`<style nonce="${nonce}">`);
		expect(r.body).not.toMatch(/<script/i);
	});
});

describe('settings', () => {
	it('Rows Per Page decides how many contacts a page shows', async () => {
		await enroll(12);
		const rows = (html: string) => (html.match(/<tr class="row"/g) ?? []).length;
		const all = await call({});
		expect(rows(all.body)).toBe(12);
		expect(all.body).not.toContain('rel="next"');
		const paged = await call({ parameters: { options: { rowsPerPage: 10 } } });
		expect(rows(paged.body)).toBe(10);
		expect(paged.body).toContain('rel="next"');
		const second = await call({
			parameters: { options: { rowsPerPage: 10 } },
			query: { page: '2' },
		});
		expect(rows(second.body)).toBe(2);
	});

	it('Stuck After decides which unconfirmed follow-ups the reports list as stuck', async () => {
		const [e] = await enroll(1, { startAt: Date.now() - 4 * 86_400_000 });
		const [claimed] = await t.store.claimDue({ cadence: 'Prospecting' });
		expect(claimed.enrollment.id).toBe(e.id);
		const listed = (html: string) => html.includes(`data-step-run="${claimed.stepRun.id}"`);
		// Claimed just now: stuck only for a limit shorter than its age.
		expect(listed((await call({ query: { view: 'reports' } })).body)).toBe(false);
		await new Promise((resolve) => setTimeout(resolve, 1100));
		const short = await call({
			query: { view: 'reports' },
			parameters: { options: { stuckAfterMinutes: 1 / 60 } },
		});
		expect(listed(short.body)).toBe(true);
	});
});

describe('changes', () => {
	it('pauses with a fresh token, records who did it, and leaves the node as an item', async () => {
		const [e] = await enroll(1);
		const page = await call({ query: { enrollment: String(e.id) } });
		const r = await call({
			method: 'POST',
			body: { action: 'pause', enrollment: String(e.id), token: tokenOf(page.body) },
		});
		expect(r.status).toBe(303);
		expect(r.headers.location).toBe(`?enrollment=${e.id}&done=pause`);
		expect(r.result.workflowData?.[0][0].json).toMatchObject({
			action: 'pause',
			by: 'ana',
			enrollmentId: e.id,
			state: 'paused',
		});
		const paused = (await t.store.getTimeline(e.id)).find((x) => x.type === 'paused');
		expect(paused?.detail?.by).toBe('ana');
	});

	it('changes nothing with a replayed, tampered, foreign or missing token', async () => {
		const [a, b] = await enroll(2);
		const token = tokenOf((await call({ query: { enrollment: String(a.id) } })).body);
		const post = (fields: IDataObject, headers?: Record<string, string>) =>
			call({ method: 'POST', body: fields, headers });
		const events = async () => (await t.store.getTimeline(a.id)).length;
		const before = await events();
		const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
		expect(
			(await post({ action: 'cancel', enrollment: String(a.id), token: flipped })).status,
		).toBe(403);
		expect((await post({ action: 'cancel', enrollment: String(b.id), token })).status).toBe(403);
		expect((await post({ action: 'cancel', enrollment: String(a.id) })).status).toBe(403);
		// Another user's login cannot use the page made for ana.
		const other = await call({
			method: 'POST',
			body: { action: 'cancel', enrollment: String(a.id), token },
			headers: { authorization: basic('bob', BASIC.password) },
		});
		expect(other.status).toBe(401);
		expect(await events()).toBe(before);
		// A GET with the same fields only shows the page.
		await call({ query: { action: 'cancel', enrollment: String(a.id), token } });
		expect(await events()).toBe(before);
		expect((await post({ action: 'skip', enrollment: String(a.id), token })).status).toBe(303);
		expect((await post({ action: 'cancel', enrollment: String(a.id), token })).status).toBe(409);
		expect((await t.store.getEnrollment(a.id))!.state).toBe('active');
		expect(await events()).toBe(before + 1);
	});

	it('signs tokens for one user and one page, and lets them expire', () => {
		const now = Date.now();
		const { token } = issueToken('secret', 'ana', 'enrollment:1', now);
		const expect_ = { user: 'ana', scope: 'enrollment:1', now };
		expect(checkToken('secret', token, expect_).ok).toBe(true);
		expect(checkToken('other', token, expect_)).toEqual({ ok: false, problem: 'forged' });
		expect(checkToken('secret', token, { ...expect_, user: 'bob' })).toEqual({
			ok: false,
			problem: 'wrongUser',
		});
		expect(checkToken('secret', token, { ...expect_, scope: 'enrollment:2' })).toEqual({
			ok: false,
			problem: 'wrongScope',
		});
		expect(checkToken('secret', token, { ...expect_, now: now + 31 * 60_000 })).toEqual({
			ok: false,
			problem: 'expired',
		});
	});
});

describe('escaping', () => {
	it('shows names and messages made of HTML as text on every page', async () => {
		const evil = '<img src=x onerror=alert(1)>';
		const [e] = await enroll(1, { contactName: evil, agent: '<b>agent</b>' });
		await t.store.recordInbound({
			contactKey: e.contactKey,
			text: '<script>alert(1)</script>',
			action: 'ignore',
		});
		const pages = [
			await call({}),
			await call({ query: { enrollment: String(e.id) } }),
			await call({ query: { view: 'reports' } }),
			await call({ query: { q: '"><script>alert(1)</script>' } }),
		];
		for (const p of pages) {
			expect(p.body).not.toContain('<img src=x');
			expect(p.body).not.toContain('<script>');
			expect(p.body).not.toContain('<b>agent</b>');
		}
		expect(pages[1].body).toContain('&lt;img src=x onerror=alert(1)&gt;');
		expect(pages[1].body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
	});
});
