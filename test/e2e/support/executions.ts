/** One execution as the public API lists it; `data` only with includeData. */
export interface ExecutionSummary {
	id: number | string;
	workflowId: string;
	status: string;
	mode: string;
	finished: boolean;
	startedAt: string;
	stoppedAt: string | null;
	data?: RunData;
}

export interface RunData {
	resultData: {
		error?: { message: string; description?: string; node?: { name: string } };
		runData: Record<
			string,
			Array<{
				error?: { message: string; description?: string };
				data?: { main: Array<Array<{ json: Record<string, any> }> | null> };
			}>
		>;
		lastNodeExecuted?: string;
	};
}

/** Every item that reached `nodeName` in these executions, in order. */
export function itemsAt(
	executions: ExecutionSummary[],
	nodeName: string,
): Array<Record<string, any>> {
	return executions.flatMap((e) =>
		(e.data?.resultData.runData[nodeName] ?? []).flatMap((run) =>
			(run.data?.main ?? []).flatMap((output) => (output ?? []).map((i) => i.json)),
		),
	);
}
