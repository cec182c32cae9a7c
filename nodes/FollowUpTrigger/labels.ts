import type { Provenance } from './definition';

/**
 * Definition field paths (as the engine's validation names them) → the parameter labels a user
 * sees in the editor, e.g. `steps.1.instruction` → "Step 2 → Instruction for the AI".
 */

const OPTIONS = 'Options';
const WINDOW = 'Sending Window';
const CHANNELS = 'Channels';

const STEP_FIELDS: Record<string, string> = {
	wait: 'Wait',
	'wait.amount': 'Wait',
	'wait.unit': 'Wait Unit',
	instruction: 'Instruction for the AI',
	staticText: 'Message Text',
	composeMode: 'Compose Mode',
	channel: 'Channel',
	whatsappTemplate: 'WhatsApp Template',
	whatsappTemplateLanguage: 'Template Language',
	whatsappTemplateParameters: 'Template Parameters',
	runOnce: 'Run Once per Contact',
	name: 'Step Name',
};

const FIELDS: Record<string, string> = {
	name: 'Cadence Name',
	active: 'Active',
	steps: 'Steps',
	startClock: 'Start the Clock',
	reply: 'When the Contact Replies',
	'reply.action': 'When the Contact Replies',
	'reply.pauseFor': `${OPTIONS} → Pause Length`,
	'reply.pauseFor.amount': `${OPTIONS} → Pause Length`,
	'reply.pauseFor.unit': `${OPTIONS} → Pause Length Unit`,
	persona: `${OPTIONS} → Persona`,
	'exitOn.resolved': `${OPTIONS} → Exit When Resolved`,
	'exitOn.goal': `${OPTIONS} → Exit When Goal Reached`,
	'reenrollment.whileActive': `${OPTIONS} → If Enrolled Again While Running`,
	'reenrollment.afterEnd': `${OPTIONS} → If Enrolled Again After It Ended`,
	'limits.perContactPerDay': `${OPTIONS} → Max Follow-Ups per Contact per Day`,
	'limits.perCadencePerHour': `${OPTIONS} → Max Follow-Ups per Cadence per Hour`,
	schedule: WINDOW,
	'schedule.timeZone': `${WINDOW} → Time Zone`,
	'schedule.timeZoneSource': `${WINDOW} → Use the Recipient’s Time Zone`,
	'schedule.workingHours': `${WINDOW} → Working Hours`,
	'schedule.quietHours': `${WINDOW} → Quiet Hours`,
	'schedule.quietHours.from': `${WINDOW} → Quiet Hours → From`,
	'schedule.quietHours.to': `${WINDOW} → Quiet Hours → To`,
	'schedule.holidays': `${WINDOW} → Holidays`,
	'channels.preference': `${CHANNELS} → Channel Preference`,
	'channels.whatsappConnection': `${CHANNELS} → WhatsApp Connection`,
	'channels.outsideWindow': `${CHANNELS} → Outside the WhatsApp Window Without a Template`,
	'channels.onFailure': `${CHANNELS} → On Delivery Failure`,
	'channels.switching.afterHours': `${CHANNELS} → Switch After (Hours)`,
	'channels.switching.from': `${CHANNELS} → Switch From`,
	'channels.switching.to': `${CHANNELS} → Switch To`,
	'channels.inactivity.idleMinutes': `${CHANNELS} → Idle Minutes`,
	'channels.inactivity.statuses': `${CHANNELS} → Idle Statuses`,
};

export function parameterLabel(path: string, provenance: Provenance): string {
	const step = /^steps\.(\d+)(?:\.(.+))?$/.exec(path);
	if (step) {
		const label = `Step ${Number(step[1]) + 1}`;
		return step[2] ? `${label} → ${STEP_FIELDS[step[2]] ?? step[2]}` : label;
	}
	const hours = /^schedule\.workingHours\.(\w+)\.(\d+)(?:\.(from|to))?$/.exec(path);
	if (hours) {
		const row = provenance.workingHours.get(`${hours[1]}.${hours[2]}`);
		if (row === undefined) return FIELDS['schedule.workingHours'];
		const field = hours[3] === 'from' ? ' → From' : hours[3] === 'to' ? ' → To' : '';
		return `${FIELDS['schedule.workingHours']} → row ${row + 1}${field}`;
	}
	// A list's entry (channels.preference.2) is named by its list.
	const entry = /^(channels\.[\w.]+?)\.\d+$/.exec(path);
	if (entry && FIELDS[entry[1]]) return FIELDS[entry[1]];
	const holiday = /^schedule\.holidays\.(\d+)$/.exec(path);
	if (holiday) {
		const date = provenance.holidays[Number(holiday[1])];
		return `${FIELDS['schedule.holidays']} ("${date}")`;
	}
	return FIELDS[path] ?? (path || 'Parameters');
}
