import type { IDataObject } from 'n8n-workflow';

import {
	checkSpeechBody,
	checkTranscriptionBody,
	simplifyTranscription,
} from '../../../../../nodes/OpenAiRest/resources/audio/hooks';

const speech = (extra: IDataObject = {}): IDataObject => ({ model: 'gpt-4o-mini-tts', input: 'Hi', voice: 'alloy', ...extra });

describe('checkSpeechBody', () => {
	it('accepts a request up to 4,096 characters and drops empty instructions', () => {
		const body = speech({ input: 'a'.repeat(4096), instructions: '', speed: 0.25 });
		checkSpeechBody(body);
		expect(body).toStrictEqual({ model: 'gpt-4o-mini-tts', input: 'a'.repeat(4096), voice: 'alloy', speed: 0.25 });
	});

	it.each([
		[speech({ input: '' }), 'Text: must not be empty'],
		[speech({ input: 'a'.repeat(4097) }), 'Text: is 4097 characters long; the API accepts at most 4096'],
		[speech({ voice: '' }), 'Voice: must not be empty'],
		[speech({ speed: 4.5 }), 'Speed: must be between 0.25 and 4, got 4.5'],
		[speech({ model: 'tts-1-hd', instructions: 'Calm' }), 'Instructions: work with gpt-4o-mini-tts and later models, not with tts-1-hd'],
	])('refuses %#', (body, message) => {
		expect(() => checkSpeechBody(body)).toThrow(message);
	});
});

describe('checkTranscriptionBody', () => {
	it('turns Include Log Probabilities into include[] and Server VAD into an object, dropping empty fields', () => {
		const body: IDataObject = {
			model: 'gpt-4o-transcribe',
			include: true,
			chunking_strategy: 'server_vad',
			language: '',
			prompt: '',
			timestamp_granularities: [],
		};
		checkTranscriptionBody(body);
		expect(body).toStrictEqual({ model: 'gpt-4o-transcribe', include: ['logprobs'], chunking_strategy: { type: 'server_vad' } });
	});

	it('drops a false Include Log Probabilities and keeps auto chunking as text', () => {
		const body: IDataObject = { model: 'gpt-4o-transcribe', include: false, chunking_strategy: 'auto' };
		checkTranscriptionBody(body);
		expect(body).toStrictEqual({ model: 'gpt-4o-transcribe', chunking_strategy: 'auto' });
	});

	it.each([
		[{ model: 'whisper-1', timestamp_granularities: ['word'], response_format: 'json' }, 'Timestamp Granularities: need Response Format verbose_json, got json'],
		[{ model: 'gpt-4o-transcribe', include: true, response_format: 'text' }, 'Include Log Probabilities: needs Response Format json, got text'],
		[{ model: 'whisper-1', response_format: 'diarized_json' }, 'Response Format: diarized_json needs a diarization model such as gpt-4o-transcribe-diarize, not whisper-1'],
	])('refuses combinations the API rejects %#', (body, message) => {
		expect(() => checkTranscriptionBody(body as IDataObject)).toThrow(message);
	});
});

describe('simplifyTranscription', () => {
	it('keeps the text and the details a verbose response has, nothing else', () => {
		expect(
			simplifyTranscription({ task: 'transcribe', language: 'english', duration: 1, text: 'Hi', segments: [], words: [], usage: {} }),
		).toStrictEqual({ text: 'Hi', language: 'english', duration: 1, segments: [], words: [] });
		expect(simplifyTranscription({ text: 'Hi', usage: { type: 'tokens' } })).toStrictEqual({ text: 'Hi' });
	});
});
