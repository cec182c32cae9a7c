/**
 * A store client in its own process, for tests that need several real processes on one location.
 * argv[2] is JSON: { config, now, cadence, limit, openOnGo }.
 * It prints "ready", waits for one line on stdin (the starting gun), and prints one JSON line with
 * what it claimed: { claimed: [[enrollmentId, stepRunId], …], batches }.
 * The store is opened before the gun (claimers race over claims) or, with `openOnGo`, right
 * after it (processes race to open, and so to migrate, a fresh location). With `cadence: null`
 * it only opens and closes the store.
 */
require('./ts-require-hook');
const { openStore } = require('../../engine/store/open');

function startingGun() {
	return new Promise((resolve) => {
		process.stdin.once('data', () => {
			process.stdin.pause();
			resolve();
		});
	});
}

async function main() {
	const { config, now, cadence, limit, openOnGo } = JSON.parse(process.argv[2]);
	let store = openOnGo ? null : await openStore(config, () => now);
	process.stdout.write('ready\n');
	await startingGun();
	if (!store) store = await openStore(config, () => now);
	const claimed = [];
	let batches = 0;
	while (cadence !== null) {
		const batch = await store.claimDue({ cadence, limit });
		if (batch.length === 0) break;
		batches++;
		for (const step of batch) claimed.push([step.enrollment.id, step.stepRun.id]);
	}
	await store.close();
	process.stdout.write(`${JSON.stringify({ claimed, batches })}\n`);
}

main().catch((error) => {
	process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
	process.exitCode = 1;
});
