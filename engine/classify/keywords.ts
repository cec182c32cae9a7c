import type { ReplyCategory } from './categories';

/**
 * The classifier used without a chat model, and whenever the model fails or answers nonsense.
 * It is deliberately conservative: it only names a category when the wording is plain, and
 * leaves everything else to "other" (the cadence's own reply policy). Checked in order of what
 * must never be missed: an out-of-office is an auto-reply with a date, and a "stop" beats any
 * friendly word in the same message.
 *
 * English first; the stop / busy / out-of-office words also in Spanish, Portuguese, French and
 * German, because a missed "stop" is the one mistake that hurts.
 */

export interface KeywordVerdict {
	category: ReplyCategory;
	/** The words that decided it, for the output. */
	matched: string | null;
}

const L = '(?<![\\p{L}\\d])';
const R = '(?![\\p{L}\\d])';
const words = (...list: string[]) => new RegExp(`${L}(?:${list.join('|')})${R}`, 'iu');

const OUT_OF_OFFICE = words(
	'out of (?:the )?office',
	'ooo',
	'on (?:vacation|holiday|holidays|annual leave|leave|parental leave|maternity leave|sick leave)',
	'away from (?:the|my) (?:office|desk)',
	"(?:i am|i'm|i’m) (?:away|off) (?:until|till|from)",
	'limited access to (?:my )?e-?mail',
	'back in the office',
	'will be back on',
	'fuera de la oficina',
	'de vacaciones',
	'fora do escritório',
	'de férias',
	'absent du bureau',
	'en congés?',
	'außer haus',
	'nicht im büro',
	'im urlaub',
);

const AUTO_REPLY = words(
	'auto-?reply',
	'automatic reply',
	'automated (?:message|response|reply)',
	'this is an automated',
	'do not reply to this',
	'(?:we|i) (?:have )?received your (?:message|email|e-mail)',
	'thank you for (?:your message|contacting us|reaching out)[^.!?]*(?:get back|respond|reply)',
	'respuesta automática',
	'resposta automática',
	'réponse automatique',
	'automatische antwort',
);

const STOP = words(
	'unsubscribe',
	'opt[ -]?out',
	'stop (?:messaging|texting|contacting|sending|emailing|e-mailing|calling|writing|bothering)',
	'remove me',
	'take me off',
	'do not (?:contact|message|text|email|call)',
	"don['’]t (?:contact|message|text|email|call) me",
	'leave me alone',
	'not interested',
	'no longer interested',
	'no interest',
	'no me interesa',
	'no estoy interesad[oa]',
	'darme de baja',
	'dejen? de (?:escribir|enviar|llamar)',
	'não (?:tenho|tenho mais) interesse',
	'não me interessa',
	'pare de (?:enviar|mandar|ligar)',
	'descadastr(?:ar|e)',
	'pas intéressée?',
	'désabonner',
	'arrêtez de',
	'kein interesse',
	'abmelden',
	'nicht mehr (?:kontaktieren|schreiben)',
);
/** "STOP" on its own, the SMS convention, in any case and with any punctuation. */
const BARE_STOP = /^\W*(?:stop|stopp|arrêt|arret|parar|pare|baja|unsubscribe)\W*$/iu;

const BUSY = words(
	'busy',
	'in a meeting',
	"(?:i['’]m |i am )?driving",
	"can['’]?t talk",
	'cannot talk',
	'not a good time',
	'bad time',
	'(?:call|text|message|write|ping|reach|contact|email) me (?:back )?(?:later|tomorrow|on|at|in|next|after|around|this|tonight)',
	'talk (?:later|tomorrow)',
	'get back to you',
	'remind me',
	'try (?:me )?(?:again )?later',
	'ocupad[oa]',
	'en una reunión',
	'em reunião',
	'occupée?',
	'en réunion',
	'beschäftigt',
	'im meeting',
);

const POSITIVE = words(
	'yes',
	'yeah',
	'yep',
	'sure',
	'absolutely',
	'definitely',
	'(?<!not |no longer )interested',
	'sounds (?:good|great|perfect)',
	"let['’]?s (?:do|go|talk|book|schedule|meet)",
	'go ahead',
	'count me in',
	'book(?:ed)?',
	'sign me up',
	'perfect',
	'great',
	'sí',
	'sim',
	'oui',
	'ja',
);

const OBJECTION = words(
	'how much',
	'too expensive',
	'expensive',
	'price',
	'pricing',
	'cost',
	'budget',
	'already (?:have|use|using|signed)',
	'not sure',
	'maybe',
	'competitor',
	'why',
	'how',
	'what',
	'which',
	'can you',
	'could you',
	'do you',
	'does it',
	'is it',
);

export function classifyByKeywords(text: string): KeywordVerdict {
	const message = text.trim();
	if (!message) return { category: 'other', matched: null };
	const hit = (pattern: RegExp) => pattern.exec(message)?.[0] ?? null;
	const checks: Array<[ReplyCategory, string | null]> = [
		['outOfOffice', hit(OUT_OF_OFFICE)],
		['autoReply', hit(AUTO_REPLY)],
		['stop', hit(BARE_STOP) ?? hit(STOP)],
		['busy', hit(BUSY)],
		['objection', message.includes('?') ? '?' : hit(OBJECTION)],
		['positive', hit(POSITIVE)],
	];
	for (const [category, matched] of checks) if (matched) return { category, matched };
	return { category: 'other', matched: null };
}
