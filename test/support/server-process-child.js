/**
 * Runs the OpenAI-like test server in a process of its own. A load test opens thousands of sockets at
 * once; in one process, client and server ends share one file-descriptor limit and the limit breaks
 * first. The TypeScript sources load through TypeScript's own transpiler, as Jest loads them.
 */
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, {
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
		fileName: filename,
	});
	module._compile(outputText, filename);
};

const { startOpenAiServer } = require('./openai-server.ts');

async function main() {
	const { server: options, rejectContentPrefix, rejectFault } = JSON.parse(process.argv[2] || '{}');
	const server = await startOpenAiServer(options);
	if (rejectContentPrefix) {
		const rejected = (request) => request.body?.messages?.[0]?.content?.startsWith?.(rejectContentPrefix) ?? false;
		server.failAlways(rejected, rejectFault);
	}
	process.on('message', async (message) => {
		if (message === 'requests') process.send({ requests: server.requests.length });
		if (message === 'close') {
			await server.close();
			process.disconnect();
		}
	});
	process.on('disconnect', () => process.exit(0));
	process.send({ baseUrl: server.baseUrl() });
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
