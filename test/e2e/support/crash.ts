import { readdirSync, readFileSync } from 'node:fs';

/**
 * The processes a process started, and theirs (n8n's task runner and its own children), found
 * through /proc by parent PID. Read before a kill -9: once the parent is gone they are re-parented
 * and can no longer be told apart.
 */
export function descendantPids(root: number): number[] {
	const parentOf = new Map<number, number>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			// "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			parentOf.set(Number(entry), ppid);
		} catch {
			// The process ended while we looked.
		}
	}
	const found: number[] = [];
	const queue = [root];
	while (queue.length > 0) {
		const parent = queue.shift()!;
		for (const [pid, ppid] of parentOf) {
			if (ppid === parent && !found.includes(pid)) {
				found.push(pid);
				queue.push(pid);
			}
		}
	}
	return found;
}

/** SIGKILL to each PID; one that is already gone is fine. */
export function killNow(pids: number[]): void {
	for (const pid of pids) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// Already gone.
		}
	}
}
