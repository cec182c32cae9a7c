import os from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { serverDescription } from './postgres';

/** The machine the figures came from, printed above the tables and kept with them in the docs. */
export async function describeMachine(
	postgresUrl: string | null,
	load: LoadSampler,
): Promise<string[]> {
	const cpus = os.cpus();
	const model = cpus[0]?.model.trim() ?? 'unknown CPU';
	const memory = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
	const memoryDb = new DatabaseSync(':memory:');
	const [{ version: sqlite }] = memoryDb
		.prepare('SELECT sqlite_version() AS version')
		.all() as Array<{
		version: string;
	}>;
	memoryDb.close();
	const lines = [
		`CPU: ${model}, ${cpus.length} cores (os.cpus)`,
		`Memory: ${memory}`,
		`OS: ${os.type()} ${os.release()} (${os.arch()})`,
		`Node.js: ${process.version}; SQLite ${sqlite} (node:sqlite)`,
	];
	if (postgresUrl) lines.push(`Postgres: ${await serverDescription(postgresUrl)}`);
	lines.push(`Load average (1 min) during the run: ${load.summary()}`);
	return lines;
}

/**
 * Other processes on the machine move the figures; the load average sampled through the run says
 * whether there were any (on an otherwise idle machine it stays near 1: the benchmark itself).
 */
export class LoadSampler {
	private readonly samples: number[] = [os.loadavg()[0]];
	private readonly timer = setInterval(() => this.samples.push(os.loadavg()[0]), 10_000).unref();

	stop(): void {
		clearInterval(this.timer);
		this.samples.push(os.loadavg()[0]);
	}

	summary(): string {
		const mean = this.samples.reduce((sum, s) => sum + s, 0) / this.samples.length;
		return `mean ${mean.toFixed(2)}, max ${Math.max(...this.samples).toFixed(2)}`;
	}
}
