import type { ReplyCategory } from './categories';
import { matchGoalPhrase } from './goal-phrases';

/**
 * The classifier used without a chat model, and whenever the model fails or answers nonsense.
 * It is deliberately conservative: it only names a category when the wording is plain, and
 * leaves everything else to "other" (the cadence's own reply policy). Checked in order of what
 * must never be missed: an out-of-office is an auto-reply with a date, a "stop" beats any
 * friendly word in the same message, the goal ("I have booked", "just paid") beats a request
 * to talk later, and a request to be contacted at some time beats a question ("can you follow
 * up next week?" asks for a time, not for information).
 *
 * English first; stop, goal, busy / later and out-of-office words also in Spanish, Portuguese,
 * French and German. The user's own goal phrases (Record Reply) come on top of the built-in ones.
 */

export interface KeywordVerdict {
	category: ReplyCategory;
	/** The words that decided it, for the output. */
	matched: string | null;
	/** Set when one of the user's own goal phrases decided. */
	byGoalPhrase?: boolean;
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

/** The contact says the goal is reached: booked, paid, signed, done. Past tense only. */
const GOAL = words(
	"(?:i|we)(?:['’]ve| have)? (?:just |already |now )?(?:booked|scheduled|paid|signed(?: up)?|bought|purchased|ordered|registered|subscribed|renewed|made the payment|sent the payment|transferred the money|completed the (?:form|payment|order|booking))",
	'just (?:paid|booked|signed|bought|ordered|registered)',
	'already (?:paid|booked|signed|bought|ordered|registered)',
	'payment (?:is )?(?:sent|made|done|completed|through)',
	"(?:it['’]?s|all|everything(?:['’]s| is)?) (?:done|sorted|booked|paid|set)(?! ?\\?)",
	'appointment (?:is )?(?:booked|confirmed|scheduled)',
	'done[,.!]* *(?:thanks|thank you|thx|ty)',
	'ya (?:he |hemos )?(?:pagado|reservado|agendado|firmado|comprado)',
	'(?:he|hemos) (?:pagado|reservado|agendado|firmado)',
	'ya (?:pagué|reservé|agendé|firmé|compré)',
	'pago (?:hecho|realizado|enviado)',
	'listo[,.!]* *gracias',
	'já (?:paguei|agendei|reservei|assinei|comprei|fiz o pagamento)',
	'(?:paguei|agendei|reservei)',
	'pagamento (?:feito|realizado|enviado|efetuado)',
	'pronto[,.!]* *obrigad[oa]',
	"j['’]ai (?:déjà )?(?:payé|réservé|pris rendez-vous|signé|acheté|commandé)",
	"c['’]est (?:fait|réglé|payé|réservé)",
	'paiement (?:effectué|envoyé|fait)',
	'fait[,.!]* *merci',
	'(?:ich habe|hab(?:e)?|wir haben) (?:schon |bereits |gerade )?(?:bezahlt|gebucht|überwiesen|unterschrieben|gekauft|bestellt)',
	'(?:schon|bereits) (?:bezahlt|gebucht|überwiesen)',
	'ist (?:erledigt|bezahlt|gebucht)',
	'erledigt[,.!]* *danke',
);
/** A one-word answer that the goal is reached: "Booked!", "Paid.", "Done, thanks". */
const BARE_GOAL =
	/^\W*(?:booked|paid|done|sorted|pagado|pago|feito|pagué|paguei|payé|fait|bezahlt|erledigt|gebucht)\W*$/iu;

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
	// A request to be contacted at some other time: the time itself is read by time-phrases.ts.
	'follow(?:ing)?[ -]?up (?:with me |again )?(?:at|on|in|next|after|tomorrow|later|this|around|by|early|end|before|from|until|monday|tuesday|wednesday|thursday|friday|saturday|sunday)',
	'(?:reach|check|circle|come|get) (?:back|out)(?: to me)? (?:again )?(?:at|on|in|next|after|tomorrow|later|this|around|by|early|end)',
	'check back',
	'circle back',
	'get back to me',
	'next (?:week|month)',
	'later (?:this|next) (?:week|month)',
	'(?:after|past) (?:the )?(?:holidays|christmas|new year|festive season|break)',
	'not (?:right )?now',
	'(?:más|mas) tarde',
	'(?:la )?(?:próxima|proxima) semana',
	'la semana que viene',
	'después de (?:las fiestas|navidad|año nuevo)',
	'mais tarde',
	'semana que vem',
	'depois (?:das festas|do natal|do ano novo)',
	'plus tard',
	'(?:la )?semaine prochaine',
	'après (?:les fêtes|noël|le nouvel an)',
	'später',
	'nächste woche',
	'kommende woche',
	'nach (?:den feiertagen|weihnachten|neujahr)',
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

/**
 * `goalPhrases`: the user's own words for the goal ("signed the contract"), matched as whole
 * words, case-insensitively; they rank with the built-in goal words, after stop.
 */
export function classifyByKeywords(text: string, goalPhrases: string[] = []): KeywordVerdict {
	const message = text.trim();
	if (!message) return { category: 'other', matched: null };
	const hit = (pattern: RegExp) => pattern.exec(message)?.[0] ?? null;
	const stop = hit(BARE_STOP) ?? hit(STOP);
	const own = stop ? null : matchGoalPhrase(message, goalPhrases);
	if (own) return { category: 'goal', matched: own, byGoalPhrase: true };
	const checks: Array<[ReplyCategory, string | null]> = [
		['outOfOffice', hit(OUT_OF_OFFICE)],
		['autoReply', hit(AUTO_REPLY)],
		['stop', stop],
		['goal', hit(BARE_GOAL) ?? hit(GOAL)],
		['busy', hit(BUSY)],
		['objection', message.includes('?') ? '?' : hit(OBJECTION)],
		['positive', hit(POSITIVE)],
	];
	for (const [category, matched] of checks) if (matched) return { category, matched };
	return { category: 'other', matched: null };
}
