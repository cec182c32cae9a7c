import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './environment';

/** A PostgreSQL only this test file uses, on its own port, that it may stop and start. */
export interface OwnPostgres {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
	stop(): Promise<void>;
	start(): Promise<void>;
	/** Stops it for good and deletes its data. */
	dispose(): Promise<void>;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
	const port = await freePort();
	const child = spawn(
		process.execPath,
		[join(__dirname, 'own-postgres-server.mjs'), String(port)],
		{
			stdio: ['pipe', 'pipe', 'pipe'],
		},
	);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const lines: string[] = [];
	const waiters: Array<(line: string) => void> = [];
	let out = '';
	let err = '';
	child.stdout.on('data', (chunk: Buffer) => {
		out += chunk.toString('utf8');
		let cut: number;
		while ((cut = out.indexOf('\n')) >= 0) {
			const line = out.slice(0, cut);
			out = out.slice(cut + 1);
			const waiter = waiters.shift();
			if (waiter) waiter(line);
			else lines.push(line);
		}
	});
	child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
	const nextLine = () =>
		new Promise<string>((resolve, reject) => {
			const early = lines.shift();
			if (early !== undefined) return resolve(early);
			waiters.push(resolve);
			void exited.then(() => reject(new Error(`embedded Postgres exited: ${err}`)));
		});
	const ready = JSON.parse(await nextLine()) as {
		user: string;
		password: string;
		database: string;
	};
	const command = async (what: 'stop' | 'start', answer: string) => {
		child.stdin.write(`${what}\n`);
		const line = await nextLine();
		if (line !== answer) throw new Error(`embedded Postgres answered "${line}" to ${what}`);
	};
	return {
		host: '127.0.0.1',
		port,
		user: ready.user,
		password: ready.password,
		database: ready.database,
		stop: () => command('stop', 'stopped'),
		start: () => command('start', 'started'),
		dispose: async () => {
			child.stdin.end();
			await exited;
		},
	};
}
