// Placeholder for npm scripts whose implementation arrives with a later milestone. It exits 0 so
// that `npm test` (which chains unit, store and end-to-end suites) keeps passing meanwhile.
const later = {
	'test:e2e': 'no end-to-end suite yet (arrives with the n8n end-to-end milestone)',
	bench: 'no benchmark yet (arrives with the store performance milestone)',
	start: 'no local n8n runner yet (arrives with the n8n end-to-end milestone)',
};

const name = process.argv[2] ?? 'this script';
const reason = Object.hasOwn(later, name)
	? later[name]
	: 'not available yet (arrives with a later milestone)';
console.log(`${name}: ${reason}`);
