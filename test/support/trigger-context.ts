import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	ITriggerFunctions,
	ITriggerResponse,
	INodeType,
	IRun,
} from 'n8n-workflow';
import type { IDeferredPromise } from '@n8n/utils/promise/deferred-promise';

/**
 * A stand-in for n8n's trigger context, enough to activate a trigger node in a unit test. The
 * cron runs on the test's timers (use jest fake timers to move it): `*\/N * * * * *` fires every
 * N seconds, `0 * * * * *` every minute. Deactivating stops the crons, as n8n does, then runs the
 * node's closeFunction.
 */
export interface TriggerOptions {
	parameters: IDataObject;
	/**
	 * How the executions the trigger starts end, when it asks to learn that (emit's done promise):
	 * `succeed` (the default) and `fail` at once, `hang` never (see `finishExecutions`).
	 */
	executions?: 'succeed' | 'fail' | 'hang';
	/** The node types after the trigger (this package's names); Exit Check and Compose by default. */
	childNodes?: string[];
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	mode?: 'trigger' | 'manual';
	timezone?: string;
}

export interface TriggerHarness {
	context: ITriggerFunctions;
	/** Every `emit` call, in order: each is the data of all outputs. */
	emitted: INodeExecutionData[][][];
	/** Errors passed to saveFailedExecution and emitError. */
	failures: Error[];
	crons: string[];
	/** How the next executions end; `finishExecutions` ends those left hanging so far. */
	executions: 'succeed' | 'fail' | 'hang';
	finishExecutions(end: 'succeed' | 'fail'): void;
	/** Waits for every check the cron has started so far. */
	settle(): Promise<void>;
	activate(node: INodeType): Promise<ITriggerResponse>;
	deactivate(): Promise<void>;
}

export function triggerContext(options: TriggerOptions): TriggerHarness {
	const node: INode = {
		id: 'trigger-1',
		name: 'Follow-up Trigger',
		type: 'n8n-nodes-cadence.followUpTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: options.parameters as INode['parameters'],
		credentials: options.credentials
			? Object.fromEntries(Object.keys(options.credentials).map((k) => [k, { id: '1', name: k }]))
			: undefined,
	};
	const timers: NodeJS.Timeout[] = [];
	const ticks: unknown[] = [];
	const hanging: Array<IDeferredPromise<IRun>> = [];
	const end = (done: IDeferredPromise<IRun>, how: 'succeed' | 'fail') =>
		done.resolve({
			status: how === 'succeed' ? 'success' : 'error',
			data: { resultData: how === 'succeed' ? {} : { error: new Error('a node failed') } },
		} as unknown as IRun);
	let response: ITriggerResponse | undefined;
	const harness: TriggerHarness = {
		emitted: [],
		failures: [],
		crons: [],
		executions: options.executions ?? 'succeed',
		finishExecutions: (how) => {
			for (const done of hanging.splice(0)) end(done, how);
		},
		settle: async () => {
			await Promise.all(ticks);
		},
		context: undefined as unknown as ITriggerFunctions,
		activate: async (type) => {
			const result = await type.trigger!.call(harness.context);
			response = result ?? {};
			return response;
		},
		deactivate: async () => {
			for (const timer of timers.splice(0)) clearInterval(timer);
			await response?.closeFunction?.();
		},
	};
	const context = {
		getNode: () => node,
		getWorkflow: () => ({ id: 'workflow-1', name: 'Test workflow', active: true }),
		// The README's flow after the trigger, unless a test gives its own.
		getChildNodes: () =>
			(options.childNodes ?? ['exitCheck', 'composeFollowUp']).map((name) => ({
				name,
				type: `n8n-nodes-cadence.${name}`,
				typeVersion: 1,
				disabled: false,
			})),
		getMode: () => options.mode ?? 'trigger',
		getActivationMode: () => (options.mode === 'manual' ? 'manual' : 'activate'),
		getTimezone: () => options.timezone ?? 'UTC',
		getNodeParameter: (name: string, fallback?: unknown) => {
			const value = name
				.split('.')
				.reduce<unknown>((v, part) => (v as IDataObject | undefined)?.[part], options.parameters);
			if (value !== undefined) return value;
			if (fallback !== undefined) return fallback;
			throw new Error(`Could not get parameter "${name}"`);
		},
		getCredentials: async (name: string) => {
			const data = options.credentials?.[name];
			if (!data) throw new Error(`Node does not have any credentials set for "${name}"`);
			return data;
		},
		getWorkflowSettings: () => ({}),
		emit: (data: INodeExecutionData[][], _response?: unknown, done?: IDeferredPromise<IRun>) => {
			harness.emitted.push(data);
			if (!done) return;
			if (harness.executions === 'hang') hanging.push(done);
			else end(done, harness.executions);
		},
		saveFailedExecution: (error: Error) => {
			harness.failures.push(error);
		},
		emitError: (error: Error) => {
			harness.failures.push(error);
		},
		helpers: {
			createDeferredPromise: <T>(): IDeferredPromise<T> => {
				let resolve!: (value: T) => void;
				let reject!: (error: Error) => void;
				const promise = new Promise<T>((res, rej) => {
					resolve = res;
					reject = rej;
				});
				return { promise, resolve, reject } as IDeferredPromise<T>;
			},
			registerCron: ({ expression }: { expression: string }, onTick: (at: Date) => unknown) => {
				harness.crons.push(expression);
				const every = /^\*\/(\d+) /.exec(expression);
				const seconds = every ? Number(every[1]) : expression.startsWith('0 * ') ? 60 : NaN;
				if (Number.isNaN(seconds)) throw new Error(`The test cron cannot run "${expression}"`);
				timers.push(setInterval(() => ticks.push(onTick(new Date())), seconds * 1000));
			},
		},
		logger: {
			debug: () => undefined,
			info: () => undefined,
			warn: () => undefined,
			error: () => undefined,
		},
	};
	harness.context = context as unknown as ITriggerFunctions;
	return harness;
}
