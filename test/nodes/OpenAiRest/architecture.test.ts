/**
 * The rooms of nodes/OpenAiRest and the one way their imports run:
 * transport/ ← fields/ ← resources/<one>/ ← OpenAiRest.node.ts.
 * transport/ imports only itself, fields/ only itself and transport/, a resource only itself, fields/ and
 * transport/; nothing imports the node file.
 */
import * as fs from 'fs';
import * as path from 'path';

const NODE_DIR = path.resolve(__dirname, '../../../nodes/OpenAiRest');

/** The room a file (relative to the node folder) lives in: `transport`, `fields`, `resources/<name>` or `node`. */
export function roomOf(file: string): string {
	const parts = file.split('/');
	if (parts[0] === 'resources') return `resources/${parts[1]}`;
	if (parts.length === 1) return 'node';
	return parts[0];
}

/** Why an import from one room into another breaks the layout, or undefined when it may. */
export function forbiddenImport(fromFile: string, toFile: string): string | undefined {
	const from = roomOf(fromFile);
	const to = roomOf(toFile);
	if (from === to || from === 'node') return undefined;
	if (to === 'node') return `${fromFile} imports the node file`;
	const allowed: Record<string, string[]> = { transport: [], fields: ['transport'] };
	if (from.startsWith('resources/')) {
		if (to === 'transport' || to === 'fields') return undefined;
		return `${fromFile} (${from}) imports another resource: ${toFile}`;
	}
	if ((allowed[from] ?? []).includes(to)) return undefined;
	return `${fromFile} (${from}) imports ${toFile} (${to})`;
}

function sourceFiles(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(full);
		return entry.name.endsWith('.ts') ? [full] : [];
	});
}

/** Every relative import of the node's sources, as paths relative to the node folder. */
function relativeImports(): Array<{ from: string; to: string }> {
	const found: Array<{ from: string; to: string }> = [];
	for (const file of sourceFiles(NODE_DIR)) {
		const text = fs.readFileSync(file, 'utf8');
		for (const match of text.matchAll(/^(?:import|export)\s[^;'"]*?from\s*'(\.{1,2}\/[^']+)'/gm)) {
			const target = path.resolve(path.dirname(file), match[1]);
			found.push({ from: path.relative(NODE_DIR, file), to: path.relative(NODE_DIR, target) });
		}
	}
	return found;
}

describe('layout of nodes/OpenAiRest', () => {
	it('has the rooms transport/, fields/ and resources/ only, besides the node files', () => {
		const entries = fs.readdirSync(NODE_DIR, { withFileTypes: true });
		const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
		expect(folders.sort()).toStrictEqual(['fields', 'resources', 'transport']);
		const files = entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
		expect(files.sort()).toStrictEqual(['OpenAiRest.node.json', 'OpenAiRest.node.ts']);
	});

	it('keeps every import pointing down: transport ← fields ← one resource ← node', () => {
		const imports = relativeImports();
		expect(imports.length).toBeGreaterThan(50);
		expect(imports.map(({ from, to }) => forbiddenImport(from, to)).filter(Boolean)).toStrictEqual([]);
	});

	it('leaves nodes/ only for n8n-workflow and crypto', () => {
		for (const file of sourceFiles(NODE_DIR)) {
			const text = fs.readFileSync(file, 'utf8');
			for (const match of text.matchAll(/^(?:import|export)\s[^;'"]*?from\s*'([^.'][^']*)'/gm)) {
				expect([file, match[1]]).toStrictEqual([file, expect.stringMatching(/^(n8n-workflow|node:crypto|crypto)$/)]);
			}
		}
	});

	it('is checked by a rule that catches each kind of wrong import', () => {
		expect(forbiddenImport('transport/send.ts', 'fields/parameters')).toMatch(/transport/);
		expect(forbiddenImport('transport/send.ts', 'resources/chat/hooks')).toMatch(/transport/);
		expect(forbiddenImport('fields/output.ts', 'resources/chat/hooks')).toMatch(/fields/);
		expect(forbiddenImport('resources/response/hooks.ts', 'resources/chat/hooks')).toMatch(/another resource/);
		expect(forbiddenImport('resources/chat/hooks.ts', 'OpenAiRest.node')).toMatch(/node file/);
		expect(forbiddenImport('fields/output.ts', 'transport/send')).toBeUndefined();
		expect(forbiddenImport('resources/chat/description.ts', 'resources/chat/hooks')).toBeUndefined();
		expect(forbiddenImport('resources/chat/description.ts', 'fields/factories')).toBeUndefined();
		expect(forbiddenImport('OpenAiRest.node.ts', 'resources/chat/description')).toBeUndefined();
	});
});
