import { randomBytes } from 'node:crypto';
import type {
	IDataObject,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import type { Store } from '../../engine';
import { withStore } from '../shared/store-provider';
import { checkAccess, type Authentication } from './access';
import { carryOut, parseAction } from './actions';
import { issueToken, SECRET_NAME } from './action-token';
import { loadContact, loadList, loadReports } from './load';
import { contactPage } from './views/contact';
import { messagePage, type Frame } from './views/layout';
import { listPage, type ListFilters } from './views/list';
import { reportsPage } from './views/reports';

/**
 * The page answers on the node's own path (GET shows, POST changes), straight from the webhook:
 * no execution is started to show a page, so it is as fast in queue mode as in regular mode.
 * Only a change made on the page leaves the node as an item.
 */
export const DASHBOARD_WEBHOOKS: IWebhookDescription[] = (['GET', 'POST'] as const).map(
	(httpMethod) => ({
		name: 'default',
		httpMethod,
		responseMode: 'onReceived',
		path: '={{$parameter["path"]}}',
		isFullPath: true,
	}),
);

const FLASH: Record<string, string> = {
	pause: 'Paused. The timeline shows it with your name.',
	resume: 'Resumed. The timeline shows it with your name.',
	skip: 'The next step was skipped. The timeline shows it with your name.',
	cancel: 'Cancelled: no more follow-ups for this enrollment.',
	retry: 'The step will be handed out again on the next tick.',
};

export interface Responder {
	frame: Frame;
	send(status: number, html: string, headers?: Record<string, string>): IWebhookResponseData;
	redirect(location: string): void;
}

function responder(context: IWebhookFunctions, user: string): Responder {
	const res = context.getResponseObject();
	const nonce = randomBytes(16).toString('base64');
	const secure = () => {
		res.setHeader('Cache-Control', 'no-store');
		res.setHeader('X-Content-Type-Options', 'nosniff');
		res.setHeader('Referrer-Policy', 'no-referrer');
		res.setHeader('X-Frame-Options', 'DENY');
	};
	return {
		frame: { title: 'Follow-ups', user, tab: 'list', nonce },
		send(status, html, headers = {}) {
			res.status(status);
			secure();
			res.setHeader('Content-Type', 'text/html; charset=utf-8');
			// No script at all; the one style element carries this response's nonce.
			res.setHeader(
				'Content-Security-Policy',
				`default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
			);
			for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
			res.send(html);
			return { noWebhookResponse: true };
		},
		redirect(location) {
			res.status(303);
			secure();
			res.setHeader('Location', location);
			res.end();
		},
	};
}

export async function webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const authentication = this.getNodeParameter('authentication', 'basicAuth') as Authentication;
	const access = await checkAccess(this, authentication);
	if (!access.ok) {
		const r = responder(this, '');
		const frame = { ...r.frame, title: 'Sign in', tab: 'none' as const };
		if (access.reason === 'setup') {
			return r.send(
				401,
				messagePage(
					frame,
					'This dashboard has no login yet',
					'Open its Cadence Dashboard node in n8n and pick the credential people log in with.',
				),
			);
		}
		const challenge =
			access.reason === 'challenge'
				? { 'WWW-Authenticate': 'Basic realm="Follow-up dashboard", charset="UTF-8"' }
				: undefined;
		return r.send(
			401,
			messagePage(frame, 'Please log in', 'This page needs the dashboard’s login.'),
			challenge,
		);
	}
	const r = responder(this, access.user);
	try {
		return await withStore(this, async (store) => answer(this, store, access.user, r));
	} catch {
		// The person gets a page, not a stack trace; nothing was changed.
		return r.send(
			503,
			messagePage(
				{ ...r.frame, tab: 'none' },
				'Please try again',
				'The cadence store could not be reached, so nothing was shown or changed. Reload in a moment.',
			),
		);
	}
}

const text = (value: unknown, max: number) =>
	typeof value === 'string' ? value.slice(0, max) : '';
const positive = (value: unknown): number | undefined => {
	const number = Number(value);
	return Number.isSafeInteger(number) && number > 0 ? number : undefined;
};

export function listFilters(query: IDataObject): ListFilters {
	const state = query.state === 'active' || query.state === 'paused' ? query.state : undefined;
	return {
		q: text(query.q, 200),
		agent: text(query.agent, 512),
		cadence: positive(query.cadence),
		state,
		page: Math.min(positive(query.page) ?? 1, 100_000),
	};
}

async function answer(
	context: IWebhookFunctions,
	store: Store,
	user: string,
	r: Responder,
): Promise<IWebhookResponseData> {
	const options = context.getNodeParameter('options', {}) as IDataObject;
	const now = Date.now();
	const method = context.getRequestObject().method;
	if (method === 'POST') {
		const action = parseAction((context.getBodyData() ?? {}) as IDataObject);
		const outcome = await carryOut(store, action, user, now);
		if (!outcome.ok)
			return r.send(outcome.status, messagePage(r.frame, outcome.heading, outcome.text));
		r.redirect(
			outcome.enrollmentId === null
				? `?view=reports&done=${action.action}`
				: `?enrollment=${outcome.enrollmentId}&done=${action.action}`,
		);
		return { noWebhookResponse: true, workflowData: [[{ json: outcome.item }]] };
	}

	const query = (context.getQueryData() ?? {}) as IDataObject;
	const flash = FLASH[String(query.done)] ?? '';
	const secret = await store.storeSecret(SECRET_NAME);
	if (query.view === 'reports') {
		const stuckAfter = Number(options.stuckAfterMinutes ?? 60);
		const view = await loadReports(store, stuckAfter, context.getTimezone() || 'UTC');
		const { token } = issueToken(secret, user, 'stuck', now);
		const frame = { ...r.frame, title: 'Follow-up reports', tab: 'reports' as const };
		return r.send(200, reportsPage(frame, { ...view, token, flash, error: '' }));
	}
	const enrollmentId = positive(query.enrollment);
	if (enrollmentId !== undefined) {
		const view = await loadContact(store, enrollmentId, now);
		if (!view) {
			return r.send(404, messagePage(r.frame, 'Not found', 'There is no such enrollment.'));
		}
		const { token } = issueToken(secret, user, `enrollment:${enrollmentId}`, now);
		const name = view.enrollment.contactName || view.enrollment.contactKey;
		const frame = { ...r.frame, title: `${name} · Follow-ups`, tab: 'contact' as const };
		return r.send(200, contactPage(frame, { ...view, token, flash, error: '' }));
	}
	const rowsPerPage = Number(options.rowsPerPage ?? 50);
	const view = await loadList(store, listFilters(query), rowsPerPage);
	return r.send(200, listPage(r.frame, view));
}
