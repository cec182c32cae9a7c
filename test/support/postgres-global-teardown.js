module.exports = async function teardown() {
	const server = globalThis.__cadenceEmbeddedPostgres;
	if (server) await server.stop();
};
