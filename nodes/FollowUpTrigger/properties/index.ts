import type { INodeProperties } from 'n8n-workflow';
import { cadenceProperties, clockAndReplyProperties } from './cadence';
import { channelsProperty } from './channels';
import { optionsProperty } from './options';
import { sendingWindowProperty } from './sending-window';
import { stepsProperty } from './steps';

/** The whole cadence lives in these parameters, so an exported workflow carries it. */
export const properties: INodeProperties[] = [
	...cadenceProperties,
	stepsProperty,
	...clockAndReplyProperties,
	sendingWindowProperty,
	channelsProperty,
	optionsProperty,
];
