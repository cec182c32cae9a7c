import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import { Client } from 'pg';

/**
 * The machine's services for queue mode: a fresh Postgres database per test file (n8n's own
 * tables and the cadence store's schema in it), and key clean-up on Redis.
 */
export interface PostgresDatabase {
	name: string;
	host: string;
	port: number;
	user: string;
	password: string;
	url: string;
	drop(): Promise<void>;
}

/**
 * Creates an empty database on the server the e2e setup found (the machine's 127.0.0.1:5432, or
 * an embedded PostgreSQL where there is none).
 */
export async function freshDatabase(prefix: string): Promise<PostgresDatabase> {
	const serverUrl = process.env.CADENCE_TEST_PG_URL;
	if (!serverUrl)
		throw new Error('CADENCE_TEST_PG_URL is not set: the e2e global setup did not run');
	const name = `${prefix}_${randomBytes(4).toString('hex')}`;
	const admin = new Client({ connectionString: serverUrl });
	await admin.connect();
	try {
		await admin.query(`CREATE DATABASE ${name}`);
	} finally {
		await admin.end();
	}
	const parsed = new URL(serverUrl);
	const url = new URL(serverUrl);
	url.pathname = `/${name}`;
	return {
		name,
		host: parsed.hostname,
		port: Number(parsed.port || 5432),
		user: decodeURIComponent(parsed.username || 'postgres'),
		password: decodeURIComponent(parsed.password),
		url: url.toString(),
		drop: async () => {
			const client = new Client({ connectionString: serverUrl });
			await client.connect();
			try {
				await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			} finally {
				await client.end();
			}
		},
	};
}

/** Sends one Redis command (RESP) and returns the raw reply. */
async function redisCommand(args: string[], host = '127.0.0.1', port = 6379): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = new Socket();
		socket.setTimeout(5000, () => {
			socket.destroy();
			reject(new Error('Redis did not answer'));
		});
		socket.once('error', reject);
		socket.connect(port, host, () => {
			socket.write(
				`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
			);
		});
		socket.once('data', (data) => {
			socket.destroy();
			resolve(data.toString());
		});
	});
}

/** Removes the queue's keys, so repeated runs leave nothing behind on the machine's Redis. */
export async function deleteRedisKeys(prefix: string, host = '127.0.0.1', port = 6379) {
	const script =
		"local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) n = n + 1 end return n";
	await redisCommand(['EVAL', script, '0', `${prefix}*`], host, port);
}
