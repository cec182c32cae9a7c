import { classifyByKeywords } from '../../../engine/classify/keywords';

describe('classifyByKeywords', () => {
	it.each([
		// stop / not interested, in the languages covered
		['STOP', 'stop'],
		['stop.', 'stop'],
		['Please stop messaging me', 'stop'],
		['Unsubscribe', 'stop'],
		['remove me from your list', 'stop'],
		['Thanks but I am not interested', 'stop'],
		['no longer interested, thanks', 'stop'],
		['no me interesa, gracias', 'stop'],
		['Não tenho interesse', 'stop'],
		['je ne suis pas intéressé', 'stop'],
		['Kein Interesse!', 'stop'],
		// busy, with or without a time
		['Busy right now', 'busy'],
		['In a meeting, call me tomorrow at 3', 'busy'],
		['driving, talk later', 'busy'],
		['not a good time', 'busy'],
		['Estoy ocupado', 'busy'],
		// out of office, even when written as an automatic reply
		['Automatic reply: I am out of the office until March 16', 'outOfOffice'],
		['I’m on vacation, back on Monday', 'outOfOffice'],
		['Estoy de vacaciones', 'outOfOffice'],
		['Ich bin im Urlaub', 'outOfOffice'],
		// other automatic answers
		['This is an automated message. Do not reply to this email.', 'autoReply'],
		['Auto-reply: we received your message', 'autoReply'],
		// questions and objections
		['How much does it cost?', 'objection'],
		['Too expensive for us', 'objection'],
		['We already use another tool', 'objection'],
		// positive
		['Yes, sounds good', 'positive'],
		['Sure, let’s talk', 'positive'],
		['I am interested', 'positive'],
		// nothing clear
		['ok', 'other'],
		['', 'other'],
		['Stop by our booth tomorrow!', 'other'],
	])('%s → %s', (text, category) => {
		expect(classifyByKeywords(text).category).toBe(category);
	});

	it('says which words decided', () => {
		expect(classifyByKeywords('Please unsubscribe me')).toEqual({
			category: 'stop',
			matched: 'unsubscribe',
		});
		expect(classifyByKeywords('hmm')).toEqual({ category: 'other', matched: null });
	});
});
