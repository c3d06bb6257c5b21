/**
 * A large file through the node inside a real n8n in filesystem mode: uploaded and downloaded with the
 * bytes unchanged, and the n8n process's peak memory close to that of a run that only reads the file
 * (a node that held the file would add at least its size). `npm run bench` reports the figures.
 */
import { type OpenAiServer, startOpenAiServer } from '../support/openai-server';
import { TransferLab, type TransferResult } from '../support/transfer-memory';
import { e2eEnvironment, forgetProcessGroup, recordProcessGroup } from './support/n8n';

const FILE_MB = 200;
/**
 * Generous: single runs of n8n's peak differ by up to about 80 MB, mostly in its own start
 * (docs/benchmarks.md); a node that held the file once would add 200.
 */
const BOUND_MB = 120;

describe('large files in a real n8n (filesystem mode)', () => {
	let server: OpenAiServer;
	let lab: TransferLab;
	let baseline: TransferResult;

	beforeAll(async () => {
		server = await startOpenAiServer();
		lab = await TransferLab.create({ ...e2eEnvironment(), onSpawn: recordProcessGroup, onExit: forgetProcessGroup }, server, FILE_MB);
		baseline = await lab.run('baseline');
		expect(baseline.error).toBeUndefined();
	}, 600_000);

	afterAll(async () => {
		lab?.close();
		await server?.close();
	});

	it.each(['ours-upload', 'ours-download'] as const)(`%s of ${FILE_MB} MB keeps the bytes and stays within ${BOUND_MB} MB of reading the file`, async (which) => {
		const result = await lab.run(which);

		expect(result.error).toBeUndefined();
		expect(result.bytesUnchanged).toBe(true);
		expect({ aboveBaselineMb: Math.round(result.peakMb - baseline.peakMb) }).toStrictEqual({ aboveBaselineMb: expect.any(Number) });
		expect(result.peakMb - baseline.peakMb).toBeLessThan(BOUND_MB);
	}, 600_000);
});
