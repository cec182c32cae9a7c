import { statSync } from 'node:fs';

/**
 * Whether the package this code was loaded from is still installed as it was. Uninstalling or
 * updating a community package in n8n 2.41 does not deactivate the workflows using it: the old
 * trigger's timer keeps firing from memory, and a step it claims then runs into "Unrecognized
 * node type" (or into newer code it was not claimed for). So before claiming, the trigger checks
 * that its own module file is still the same file on disk (an update writes new files), and stops
 * checking when it is not.
 */
export class InstalledPackage {
	private readonly identity: string | null;

	/** Any file of the package will do: this module's own, by default. */
	constructor(private readonly file: string = __filename) {
		this.identity = identityOf(file);
	}

	/** False once the module file is gone or replaced. */
	unchanged(): boolean {
		if (this.identity === null) return true; // could not be read at start: nothing to compare
		return identityOf(this.file) === this.identity;
	}
}

function identityOf(file: string): string | null {
	try {
		const stat = statSync(file);
		return `${stat.dev}:${stat.ino}:${stat.size}`;
	} catch {
		return null;
	}
}
