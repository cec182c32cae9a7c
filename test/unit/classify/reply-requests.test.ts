import { DateTime } from 'luxon';
import { classifyReply } from '../../../engine/classify/classify';
import { parseGoalPhrases } from '../../../engine/classify/goal-phrases';
import { classifyByKeywords } from '../../../engine/classify/keywords';
import { resolveTimePhrase } from '../../../engine/classify/time-phrases';

/**
 * Decision tables for the replies the keyword classifier used to misread: requests for a
 * specific time (must pause until then in the contact's zone, not fall to "other"), and "the
 * goal is reached" (booked, paid, done), in English, Spanish, Portuguese, French and German.
 */

describe('keywords: a request to follow up at some time is "busy" (a pause), not other or a question', () => {
	it.each([
		'follow up at 3pm Tuesday',
		'Please follow up on Monday',
		'can you follow up next Tuesday at 3pm',
		'Can you follow up tomorrow?',
		'next week',
		'Maybe next week?',
		'after the holidays',
		'let’s talk after the holidays',
		'check back in a few days',
		'circle back next month',
		'get back to me on Friday',
		'not now, later this week',
		'escríbeme la próxima semana',
		'mejor después de las fiestas',
		'fala comigo semana que vem',
		'mais tarde, por favor',
		'recontactez-moi la semaine prochaine',
		'après les fêtes',
		'bitte nächste Woche',
		'nach den Feiertagen',
		'später bitte',
	])('%s → busy', (text) => {
		expect(classifyByKeywords(text).category).toBe('busy');
	});
});

describe('keywords: the goal is reached', () => {
	it.each([
		'I have booked',
		'I’ve booked a slot for Thursday',
		'We have paid the invoice',
		'just paid',
		'Just paid, thanks!',
		'already paid',
		'done, thanks',
		'Done thanks!',
		'Booked!',
		'paid.',
		'payment sent',
		'appointment booked',
		'it’s done',
		'ya pagué',
		'ya he reservado',
		'listo, gracias',
		'já paguei',
		'pagamento feito',
		'pronto, obrigada',
		'j’ai payé',
		'c’est fait',
		'fait, merci',
		'ich habe schon bezahlt',
		'bereits überwiesen',
		'erledigt, danke',
	])('%s → goal', (text) => {
		expect(classifyByKeywords(text).category).toBe('goal');
	});

	it.each(['I have not paid yet', 'I haven’t booked yet', 'not booked yet', 'is it done?'])(
		'%s is not the goal',
		(text) => {
			expect(classifyByKeywords(text).category).not.toBe('goal');
		},
	);

	it.each([
		['Have you booked the room?', 'objection'],
		['Can I book a call?', 'objection'],
		['just paid, now stop messaging me', 'stop'],
		['Not interested, already bought elsewhere', 'stop'],
		['I am out of office until Monday', 'outOfOffice'],
		['Yes, sounds good', 'positive'],
	])('%s → %s (not the goal)', (text, category) => {
		expect(classifyByKeywords(text).category).toBe(category);
	});
});

describe('keywords: the user’s own goal phrases', () => {
	it('match as whole words in any case, and rank after a stop', () => {
		const own = ['signed the contract', 'deposit'];
		expect(classifyByKeywords('We SIGNED the   contract today', own)).toEqual({
			category: 'goal',
			matched: 'SIGNED the   contract',
			byGoalPhrase: true,
		});
		expect(classifyByKeywords('Deposit is on its way', own).category).toBe('goal');
		expect(classifyByKeywords('what deposits do you take?', own).category).toBe('objection');
		expect(classifyByKeywords('deposit sent, unsubscribe me', own).category).toBe('stop');
	});

	it.each([
		['', []],
		['booked, paid', ['booked', 'paid']],
		['  booked ,\n paid ,, booked ', ['booked', 'paid']],
		['signed   the contract', ['signed the contract']],
	])('%j parses to %j', (value, phrases) => {
		expect(parseGoalPhrases(value)).toEqual({ ok: true, phrases });
	});

	it.each([
		['!!!, paid', /has no letters or digits/],
		[`${'x'.repeat(101)}`, /longer than 100 characters/],
		[Array.from({ length: 51 }, (_, i) => `p${i}`).join(','), /at most 50 phrases/],
		[42, /as text/],
	])('rejects %j', (value, problem) => {
		const parsed = parseGoalPhrases(value);
		expect(parsed.ok).toBe(false);
		expect(!parsed.ok && parsed.problem).toMatch(problem);
	});
});

/** Monday 2 March 2026, 10:00 in São Paulo. */
const zone = 'America/Sao_Paulo';
const now = DateTime.fromISO('2026-03-02T10:00', { zone }).toMillis();
const local = (ms: number | null | undefined, timeZone = zone) =>
	ms == null ? null : DateTime.fromMillis(ms, { zone: timeZone }).toFormat('ccc yyyy-MM-dd HH:mm');

describe('time phrases: when to follow up, in the contact’s zone', () => {
	it.each([
		['follow up at 3pm Tuesday', 'Tue 2026-03-03 15:00'],
		['can you follow up next Tuesday at 3pm', 'Tue 2026-03-03 15:00'],
		['can you follow up Thursday', 'Thu 2026-03-05 09:00'],
		['next week', 'Mon 2026-03-09 09:00'],
		['la próxima semana', 'Mon 2026-03-09 09:00'],
		['semana que vem', 'Mon 2026-03-09 09:00'],
		['la semaine prochaine', 'Mon 2026-03-09 09:00'],
		['nächste Woche', 'Mon 2026-03-09 09:00'],
		['el viernes a las 4', 'Fri 2026-03-06 16:00'],
		['na sexta-feira às 10h', 'Fri 2026-03-06 10:00'],
		['jeudi à 14h', 'Thu 2026-03-05 14:00'],
		['am Mittwoch um 11:30', 'Wed 2026-03-04 11:30'],
	])('%s → %s', (text, expected) => {
		expect(local(resolveTimePhrase(text, { now, timeZone: zone })?.at)).toBe(expected);
	});

	it('"after the holidays" said in December or early January is 7 January; otherwise no date', () => {
		const december = DateTime.fromISO('2026-12-18T10:00', { zone }).toMillis();
		const early = DateTime.fromISO('2027-01-03T10:00', { zone }).toMillis();
		for (const text of ['after the holidays', 'después de las fiestas', 'nach den Feiertagen']) {
			expect(local(resolveTimePhrase(text, { now: december, timeZone: zone })?.at)).toBe(
				'Thu 2027-01-07 09:00',
			);
			expect(local(resolveTimePhrase(text, { now: early, timeZone: zone })?.at)).toBe(
				'Thu 2027-01-07 09:00',
			);
			expect(resolveTimePhrase(text, { now, timeZone: zone })).toBeNull();
		}
	});
});

describe('classifyReply without a model: requests for a time pause until then', () => {
	it('"can you follow up next Tuesday at 3pm" pauses until 15:00 in the contact’s zone', async () => {
		const verdict = await classifyReply({
			text: 'can you follow up next Tuesday at 3pm',
			now,
			timeZone: zone,
		});
		expect(verdict).toMatchObject({ category: 'busy', plan: { action: 'pause' } });
		expect(new Date(verdict.resumeAt!).toISOString()).toBe('2026-03-03T18:00:00.000Z');
		expect(verdict.plan.pauseUntil).toBe(verdict.resumeAt);
	});

	it('"just paid" is the goal: the plan ends the cadence as goal reached', async () => {
		expect(await classifyReply({ text: 'just paid', now, timeZone: zone })).toMatchObject({
			category: 'goal',
			label: 'Goal reached',
			plan: { action: 'goal', pauseUntil: undefined },
			reason: 'matched "just paid"',
		});
	});

	it('the user’s goal phrase decides even with a model connected, without asking it', async () => {
		const invoke = jest.fn();
		expect(
			await classifyReply({
				text: 'contract signed!',
				now,
				timeZone: zone,
				model: { invoke },
				goalPhrases: ['contract signed'],
			}),
		).toMatchObject({
			category: 'goal',
			source: 'keywords',
			reason: 'matched your goal phrase "contract signed"',
		});
		expect(invoke).not.toHaveBeenCalled();
	});
});
