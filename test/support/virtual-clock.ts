/** A clock the test moves by hand, so waits of days run in microseconds. */
export class VirtualClock {
	constructor(public nowMs: number) {}

	static at(iso: string): VirtualClock {
		return new VirtualClock(Date.parse(iso));
	}

	readonly read = (): number => this.nowMs;

	advance(ms: number): number {
		this.nowMs += ms;
		return this.nowMs;
	}

	set(iso: string): number {
		this.nowMs = Date.parse(iso);
		return this.nowMs;
	}
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
