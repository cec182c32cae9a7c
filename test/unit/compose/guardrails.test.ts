import {
	checkDraft,
	expectedLanguage,
	nearRepeat,
	NEAR_REPEAT_JACCARD,
} from '../../../engine/compose/guardrails';
import { conversationLanguage, detectLanguage } from '../../../engine/compose/language';
import { likeness } from '../../../engine/compose/similarity';
import type { ComposeRequest } from '../../../engine/compose/types';

const request = (over: Partial<ComposeRequest> = {}): ComposeRequest => ({
	mode: 'aiFull',
	instruction: 'Ask if the question is still relevant',
	staticText: 'Is this still relevant?',
	persona: '',
	variables: {},
	history: [],
	maxLength: 200,
	language: 'auto',
	timeoutMs: 1000,
	...over,
});

describe('near-repeat', () => {
	const earlier = 'Hi Ann, just checking in: is your question about the Pro plan still open?';

	it('catches the same message with other case, punctuation and accents', () => {
		expect(
			nearRepeat('hi ann — just checking in, is your question about the pro plan still open', [
				earlier,
			]),
		).toBe(earlier);
	});

	it('catches a light rewording', () => {
		const reworded =
			'Hi Ann, just checking in: is your question about the Pro plan still open now?';
		expect(likeness(reworded, earlier).jaccard).toBeGreaterThanOrEqual(NEAR_REPEAT_JACCARD);
		expect(nearRepeat(reworded, [earlier])).toBe(earlier);
	});

	it('catches a shortened copy of a longer earlier follow-up', () => {
		expect(nearRepeat('is your question about the Pro plan still open?', [earlier])).toBe(earlier);
	});

	it('lets a genuinely different message through, and short greetings too', () => {
		const fresh =
			'Ann, a quick idea: teams like yours often start with the monthly Pro trial. Want the link?';
		expect(nearRepeat(fresh, [earlier])).toBeNull();
		expect(nearRepeat('Hi Ann!', [earlier])).toBeNull();
	});
});

describe('language', () => {
	it('recognises common languages by their frequent words', () => {
		expect(
			detectLanguage(
				'Hi Ann, are you still interested in the plan? Let me know if you have any questions.',
			),
		).toBe('en');
		expect(
			detectLanguage(
				'Hola Ana, ¿todavía te interesa el plan? Avísame si tienes alguna pregunta para mí.',
			),
		).toBe('es');
		expect(
			detectLanguage(
				'Olá Ana, você ainda está interessada no plano? Se tiver dúvidas é só falar comigo.',
			),
		).toBe('pt');
		expect(
			detectLanguage(
				'Bonjour Anne, est-ce que le plan vous intéresse toujours ? Dites-moi si vous avez des questions.',
			),
		).toBe('fr');
		expect(
			detectLanguage(
				'Hallo Anna, ist das Angebot für dich noch interessant? Sag mir bitte, wenn du Fragen hast.',
			),
		).toBe('de');
	});

	it('recognises writing systems', () => {
		expect(detectLanguage('Здравствуйте, Анна! Вам всё ещё интересен тариф?')).toBe('cyrillic');
		expect(detectLanguage('こんにちは、まだご興味はありますか？')).toBe('japanese');
	});

	it('says nothing rather than guess on short or unknown text', () => {
		expect(detectLanguage('Thanks!')).toBeNull();
		expect(detectLanguage('OK 👍')).toBeNull();
		expect(detectLanguage('')).toBeNull();
	});

	it('takes the conversation language from what the contact writes first', () => {
		const history = [
			{ author: 'agent', text: 'Hello! How can we help you with the plan today? Let us know.' },
			{
				author: 'contact',
				text: 'Hola, quiero saber el precio del plan para mi empresa, por favor.',
			},
		];
		expect(conversationLanguage(history)).toBe('es');
		expect(
			conversationLanguage([], 'Hola, ¿sigues interesado en el plan? Avísame por favor.'),
		).toBe('es');
	});

	it('expects the chosen language, the conversation’s, or none', () => {
		expect(expectedLanguage(request({ language: 'de' }))).toBe('de');
		expect(expectedLanguage(request({ language: 'any' }))).toBeNull();
		expect(
			expectedLanguage(
				request({
					history: [
						{
							author: 'contact',
							text: 'Hola, ¿cuánto cuesta el plan para una empresa como la mía?',
						},
					],
				}),
			),
		).toBe('es');
	});
});

describe('checkDraft', () => {
	it('passes a good draft', () => {
		expect(checkDraft('Hi Ann, is the question still open?', request(), [], 'en')).toEqual({
			ok: true,
		});
	});

	it('rejects a draft over the maximum length, saying by how much', () => {
		const verdict = checkDraft('x'.repeat(250), request(), [], null);
		expect(verdict).toMatchObject({ ok: false, rule: 'length' });
		expect(!verdict.ok && verdict.reason).toMatch(/250 characters long; the limit is 200/);
	});

	it('rejects an empty draft and one with unfilled placeholders', () => {
		expect(checkDraft('   ', request(), [], null)).toMatchObject({ ok: false, rule: 'empty' });
		expect(checkDraft('Hi {{firstName}}!', request(), [], null)).toMatchObject({
			ok: false,
			rule: 'placeholder',
		});
	});

	it('rejects a repeat of an earlier follow-up, quoting it', () => {
		const verdict = checkDraft(
			'Is this still relevant?',
			request(),
			['Is this still relevant?'],
			null,
		);
		expect(verdict).toMatchObject({ ok: false, rule: 'repeat' });
		expect(!verdict.ok && verdict.reason).toMatch(/"Is this still relevant\?"/);
	});

	it('rejects a draft in another language than the conversation', () => {
		const verdict = checkDraft(
			'Hi Ana, are you still interested in the plan? Let me know if you have any questions.',
			request(),
			[],
			'es',
		);
		expect(verdict).toMatchObject({ ok: false, rule: 'language' });
		expect(!verdict.ok && verdict.reason).toMatch(/in English, but the conversation is in Spanish/);
	});
});
