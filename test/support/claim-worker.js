/**
 * A claimer in its own process. argv[2] is JSON: { config, now, cadence, limit }.
 * It opens the store, prints "ready", waits for one line on stdin (the starting gun), claims
 * until a claim comes back empty, then prints one JSON line: { claimed: [[enrollmentId, stepRunId], …] }.
 */
require('./ts-require-hook');
const { openStore } = require('../../engine/store/open');

async function main() {
	const { config, now, cadence, limit } = JSON.parse(process.argv[2]);
	const store = await openStore(config, () => now);
	process.stdout.write('ready\n');
	await new Promise((resolve) => process.stdin.once('data', resolve));
	process.stdin.pause();
	const claimed = [];
	const batches = [];
	for (;;) {
		const batch = await store.claimDue({ cadence, limit });
		if (batch.length === 0) break;
		batches.push(batch.length);
		for (const step of batch) claimed.push([step.enrollment.id, step.stepRun.id]);
	}
	await store.close();
	process.stdout.write(`${JSON.stringify({ claimed, batches: batches.length })}\n`);
}

main().catch((error) => {
	process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
	process.exitCode = 1;
});
