import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import { checkFileKind, checkItem, contentTypeOf, filePart, MEGABYTE, readBinaryField, slugOf } from '../../transport/binary';
import { streamToBinary } from '../../transport/download';
import { multipartRequest, textFields } from '../../transport/multipart';
import { isSimplified, readOption } from '../../transport/parameters';
import { sentBody } from '../../transport/sent-request';
import { InvalidParameter } from '../../transport/errors';

export const SPEECH_MAX_INPUT = 4096;
export const AUDIO_MAX_BYTES = 25 * MEGABYTE;

/** What Transcribe and Translate take (flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm). */
const AUDIO_KINDS = {
	extensions: ['flac', 'mp3', 'mp4', 'm4a', 'ogg', 'wav', 'webm'],
	unrecognised: /^(audio|video)\/|^application\/octet-stream$/,
};

/** MIME type of each speech format, for servers that answer with application/octet-stream. */
export const SPEECH_MIME_TYPES: Record<string, string> = {
	mp3: 'audio/mpeg',
	opus: 'audio/opus',
	aac: 'audio/aac',
	flac: 'audio/flac',
	wav: 'audio/wav',
	pcm: 'audio/pcm',
};

/** Formats whose response is plain text, not JSON. */
const TEXT_FORMATS = ['text', 'srt', 'vtt'];

/** Checks a speech request; models without instructions support are named. */
export function checkSpeechBody(body: IDataObject): void {
	const input = typeof body.input === 'string' ? body.input : '';
	if (!input.trim()) throw new InvalidParameter('Text', 'must not be empty');
	if (input.length > SPEECH_MAX_INPUT) {
		throw new InvalidParameter('Text', `is ${input.length} characters long; the API accepts at most ${SPEECH_MAX_INPUT}`);
	}
	if (!String(body.voice ?? '').trim()) throw new InvalidParameter('Voice', 'must not be empty');
	const speed = body.speed;
	if (speed !== undefined && (typeof speed !== 'number' || speed < 0.25 || speed > 4)) {
		throw new InvalidParameter('Speed', `must be between 0.25 and 4, got ${JSON.stringify(speed)}`);
	}
	if (body.instructions === '') delete body.instructions;
	if (body.instructions !== undefined && /^tts-1/.test(String(body.model))) {
		throw new InvalidParameter('Instructions', `work with gpt-4o-mini-tts and later models, not with ${String(body.model)}`);
	}
}

/** preSend of Generate Speech: the answer is audio, so it is read as a stream of bytes, not parsed as JSON. */
export async function receiveAudioBytes(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	return { ...requestOptions, encoding: 'stream', json: false };
}

/** postReceive: the audio is stored as binary data while it arrives, with the response's MIME type or the format's. */
export async function speechToBinary(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const sent = sentBody(this);
	const format = (sent.response_format as string | undefined) ?? 'mp3';
	const field = readOption(this, 'binaryPropertyName', '') || 'data';
	const mimeType = contentTypeOf(response.headers) ?? SPEECH_MIME_TYPES[format] ?? 'audio/mpeg';
	const fileName = `${slugOf(String(sent.input ?? '')) || 'speech'}.${format}`;
	const binary = await streamToBinary(this, response, fileName, mimeType);
	return [
		{
			json: { model: sent.model, voice: sent.voice, response_format: format, bytes: binary.bytes },
			binary: { [field]: binary },
			pairedItem: { item: this.getItemIndex() },
		},
	];
}

/** Checks options that only combine in some ways, as the API documents them. */
export function checkTranscriptionBody(body: IDataObject): void {
	const format = (body.response_format as string | undefined) ?? 'json';
	const granularities = body.timestamp_granularities as string[] | undefined;
	if (granularities?.length && format !== 'verbose_json') {
		throw new InvalidParameter('Timestamp Granularities', `need Response Format verbose_json, got ${format}`);
	}
	if (!granularities?.length) delete body.timestamp_granularities;
	if (body.include === true) body.include = ['logprobs'];
	const include = Array.isArray(body.include) ? (body.include as string[]) : undefined;
	if (include?.length && format !== 'json') {
		throw new InvalidParameter('Include Log Probabilities', `needs Response Format json, got ${format}`);
	}
	if (!include?.length) delete body.include;
	if (format === 'diarized_json' && !/diarize/.test(String(body.model))) {
		throw new InvalidParameter('Response Format', `diarized_json needs a diarization model such as gpt-4o-transcribe-diarize, not ${String(body.model)}`);
	}
	if (body.chunking_strategy === 'server_vad') body.chunking_strategy = { type: 'server_vad' };
	for (const key of ['language', 'prompt']) if (body[key] === '') delete body[key];
}

/**
 * preSend of Transcribe and Translate: reads the audio from the item's binary field, checks its
 * size and type, and sends it with the routed fields as multipart/form-data.
 */
export async function prepareAudioUpload(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const body = requestOptions.body as IDataObject;
	const field = this.getNodeParameter('audioBinaryField', 'data') as string;
	const file = await checkItem(this, async () => {
		checkTranscriptionBody(body);
		const audio = await readBinaryField(this, field, 'Input Binary Field', { maxBytes: AUDIO_MAX_BYTES, limitOf: 'the audio endpoint' });
		checkFileKind(audio, AUDIO_KINDS, 'Input Binary Field', 'the audio endpoint');
		return audio;
	});
	const options = multipartRequest(requestOptions, [filePart('file', file), ...textFields(body)]);
	const asText = TEXT_FORMATS.includes(body.response_format as string);
	return asText ? { ...options, json: false, encoding: 'text' } : options;
}

/** One simplified row: the text, and the language, duration, segments and words when present. */
export function simplifyTranscription(body: IDataObject): IDataObject {
	const row: IDataObject = { text: body.text };
	for (const key of ['language', 'duration', 'segments', 'words', 'logprobs']) {
		if (body[key] !== undefined) row[key] = body[key];
	}
	return row;
}

/** postReceive of Transcribe and Translate: text formats become `{ text }`, JSON is simplified when asked. */
export async function transcriptionToItems(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const item = this.getItemIndex();
	if (typeof response.body === 'string') return [{ json: { text: response.body }, pairedItem: { item } }];
	const body = response.body as IDataObject;
	return [{ json: isSimplified(this) ? simplifyTranscription(body) : body, pairedItem: { item } }];
}
