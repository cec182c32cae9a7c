import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for an OpenAI-compatible API on 127.0.0.1 (random port): POST /v1/chat/completions
 * records each request body and answers with the next configured reply (the last one repeats).
 * A reply can also be an HTTP error, to see what the node does when the provider fails.
 */
export interface StubReply {
	text?: string;
	status?: number;
	usage?: { prompt_tokens: number; completion_tokens: number };
}

export interface OpenAiStub {
	/** What to give ChatOpenAI as `configuration.baseURL`. */
	baseURL: string;
	/** Parsed JSON bodies of the chat completion requests, in arrival order. */
	requests: Array<
		{ model: string; messages: Array<{ role: string; content: unknown }> } & Record<string, unknown>
	>;
	close(): Promise<void>;
}

export async function startOpenAiStub(
	replies: StubReply[],
	model = 'gpt-stub-1',
): Promise<OpenAiStub> {
	const requests: OpenAiStub['requests'] = [];
	const server = createServer((req, res) => {
		void handle(req, res);
	});
	const handle = async (req: IncomingMessage, res: ServerResponse) => {
		if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
			return send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
		}
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		requests.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
		const reply = replies[Math.min(requests.length - 1, replies.length - 1)] ?? {};
		if (reply.status && reply.status >= 400) {
			return send(res, reply.status, {
				error: { message: reply.text ?? 'stub error', type: 'server_error' },
			});
		}
		const usage = reply.usage ?? { prompt_tokens: 100, completion_tokens: 20 };
		send(res, 200, {
			id: `chatcmpl-stub-${requests.length}`,
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model,
			choices: [
				{
					index: 0,
					message: { role: 'assistant', content: reply.text ?? '' },
					finish_reason: 'stop',
				},
			],
			usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
		});
	};
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseURL: `http://127.0.0.1:${port}/v1`,
		requests,
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.closeAllConnections();
				server.close((error) => (error ? reject(error) : resolve()));
			}),
	};
}

function send(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
	});
	res.end(text);
}
