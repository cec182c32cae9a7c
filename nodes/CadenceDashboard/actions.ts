import type { IDataObject } from 'n8n-workflow';
import {
	CadenceNotFoundError,
	CadenceTransitionError,
	type Enrollment,
	type Store,
} from '../../engine';
import { checkToken, SECRET_NAME } from './action-token';

/**
 * A change asked for on the page: checked against the page's token (signed, unexpired, made for
 * this user and this enrollment, never used before), then carried out in the store with the
 * user's name, so the timeline says who did it.
 */

export const ACTIONS = ['pause', 'resume', 'skip', 'cancel', 'retry'] as const;
export type ActionName = (typeof ACTIONS)[number];

export interface ActionRequest {
	action: ActionName | null;
	token: unknown;
	enrollmentId: number | null;
	stepRunId: number | null;
}

const id = (value: unknown) => {
	const number = Number(value);
	return Number.isSafeInteger(number) && number > 0 ? number : null;
};

export function parseAction(body: IDataObject): ActionRequest {
	const action = ACTIONS.find((a) => a === body.action) ?? null;
	return {
		action,
		token: body.token,
		enrollmentId: id(body.enrollment),
		stepRunId: id(body.stepRun),
	};
}

export type ActionOutcome =
	| { ok: true; enrollmentId: number | null; item: IDataObject }
	| { ok: false; status: number; heading: string; text: string };

const refused = (status: number, heading: string, text: string): ActionOutcome => ({
	ok: false,
	status,
	heading,
	text,
});

const STALE =
	'Nothing was changed. Go back, reload the page and try again: each page’s buttons work once and for 30 minutes.';

export async function carryOut(
	store: Store,
	request: ActionRequest,
	user: string,
	now: number,
): Promise<ActionOutcome> {
	const { action } = request;
	const target = action === 'retry' ? request.stepRunId : request.enrollmentId;
	if (!action || target === null) {
		return refused(400, 'Unknown change', 'Nothing was changed: the form did not say what to do.');
	}
	const scope = action === 'retry' ? 'stuck' : `enrollment:${target}`;
	const secret = await store.storeSecret(SECRET_NAME);
	const check = checkToken(secret, request.token, { user, scope, now });
	if (!check.ok) return refused(403, 'This page is out of date', STALE);
	if (!(await store.useActionToken(check.claims.nonce, check.claims.expiresAt))) {
		return refused(409, 'Already done', `This form was sent before. ${STALE}`);
	}
	let enrollment: Enrollment;
	try {
		if (action === 'retry') enrollment = await store.retryStep(target);
		else if (action === 'pause') enrollment = await store.pause({ enrollmentId: target, by: user });
		else if (action === 'resume')
			enrollment = await store.resume({ enrollmentId: target, by: user });
		else if (action === 'skip')
			enrollment = await store.skipStep({ enrollmentId: target, by: user });
		else enrollment = await store.cancel({ enrollmentId: target, by: user });
	} catch (error) {
		if (error instanceof CadenceTransitionError || error instanceof CadenceNotFoundError) {
			return refused(409, 'Not changed', error.message);
		}
		return refused(503, 'Not changed', 'The cadence store could not save the change. Try again.');
	}
	return {
		ok: true,
		enrollmentId: action === 'retry' ? null : enrollment.id,
		item: {
			action,
			by: user,
			at: new Date(now).toISOString(),
			enrollmentId: enrollment.id,
			contactKey: enrollment.contactKey,
			contactName: enrollment.contactName,
			cadence: enrollment.cadenceName,
			state: enrollment.state,
			...(action === 'retry' ? { stepRunId: target } : {}),
		},
	};
}
