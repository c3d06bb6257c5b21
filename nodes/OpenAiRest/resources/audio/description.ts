import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import {
	checkSpeechBody,
	prepareAudioUpload,
	receiveAudioBytes,
	speechToBinary,
	transcriptionToItems,
} from './hooks';
import { modelField, optionsCollection, sendAs, sharedOptions, simplifyField } from '../../fields/factories';
import { rememberSentBody } from '../../transport/sent-request';
import { operation } from '../../fields/operations';
import { transformBody } from '../../fields/validation';

const showFor = (...operation: string[]): IDisplayOptions => ({ show: { resource: ['audio'], operation } });
/** Entries of the Options collection shown only for some operations. */
const onlyFor = (...operation: string[]): IDisplayOptions => ({ show: { '/operation': operation } });

const VOICES = ['alloy', 'ash', 'ballad', 'cedar', 'coral', 'echo', 'fable', 'marin', 'nova', 'onyx', 'sage', 'shimmer', 'verse'];

const uploadRouting = (url: string) => ({
	request: { method: 'POST' as const, url },
	send: { preSend: [prepareAudioUpload] },
	output: { postReceive: [transcriptionToItems] },
});

export const audioOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['audio'] } },
	options: [
		operation('Generate Speech', 'generateSpeech', 'Generate speech from text', 'Turn text into spoken audio, returned as a binary file', {
			request: { method: 'POST', url: '/audio/speech' },
			send: { preSend: [transformBody(checkSpeechBody), rememberSentBody, receiveAudioBytes] },
			output: { postReceive: [speechToBinary] },
		}),
		operation('Transcribe', 'transcribe', 'Transcribe a recording', 'Turn the speech in an audio file into text', uploadRouting('/audio/transcriptions')),
		operation('Translate', 'translate', 'Translate a recording', 'Turn the speech in an audio file into English text', uploadRouting('/audio/translations')),
	],
	default: 'generateSpeech',
};

const responseFormats = [
	{ name: 'JSON', value: 'json', description: 'The text' },
	{ name: 'SRT', value: 'srt', description: 'Subtitles in SubRip format, as text' },
	{ name: 'Text', value: 'text', description: 'Plain text' },
	{ name: 'Verbose JSON', value: 'verbose_json', description: 'Text, language, duration and segments (whisper-1)' },
	{ name: 'VTT', value: 'vtt', description: 'Subtitles in WebVTT format, as text' },
];

export const audioFields: INodeProperties[] = [
	modelField('speechModel', 'speech', 'gpt-4o-mini-tts', showFor('generateSpeech')),
	{
		displayName: 'Text',
		name: 'speechInput',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'e.g. Your order has shipped and arrives tomorrow.',
		description: 'The text to speak, at most 4,096 characters',
		displayOptions: showFor('generateSpeech'),
		routing: sendAs('input'),
	},
	{
		displayName: 'Voice',
		name: 'speechVoice',
		type: 'options',
		options: VOICES.map((voice) => ({ name: voice[0].toUpperCase() + voice.slice(1), value: voice })),
		default: 'alloy',
		description: 'The voice to speak with. Ballad, cedar, marin and verse need gpt-4o-mini-tts.',
		displayOptions: showFor('generateSpeech'),
		routing: sendAs('voice'),
	},
	{
		displayName: 'Input Binary Field',
		name: 'audioBinaryField',
		type: 'string',
		required: true,
		default: 'data',
		placeholder: 'e.g. data',
		hint: 'The name of the input binary field holding the audio file (flac, mp3, mp4, m4a, ogg, wav or webm, at most 25 MB)',
		displayOptions: showFor('transcribe', 'translate'),
	},
	modelField('transcriptionModel', 'transcription', 'whisper-1', showFor('transcribe')),
	modelField('translationModel', 'translation', 'whisper-1', showFor('translate')),
	simplifyField('audio', showFor('transcribe', 'translate')),
	optionsCollection('audio', showFor('generateSpeech', 'transcribe', 'translate'), [
		sharedOptions.maxRateLimitWait,
		sharedOptions.maxRetries,
		{
			displayName: 'Chunking Strategy',
			name: 'chunkingStrategy',
			type: 'options',
			options: [
				{ name: 'Auto', value: 'auto', description: 'Normalize loudness, then cut at pauses' },
				{ name: 'Server VAD', value: 'server_vad', description: 'Cut where voice activity detection finds pauses' },
			],
			default: 'auto',
			description: 'How long audio is cut into chunks (gpt-4o-transcribe models)',
			displayOptions: onlyFor('transcribe'),
			routing: sendAs('chunking_strategy'),
		},
		{
			displayName: 'Include Log Probabilities',
			name: 'includeLogprobs',
			type: 'boolean',
			default: false,
			description: 'Whether to return the log probability of each token (Response Format JSON, gpt-4o-transcribe models)',
			displayOptions: onlyFor('transcribe'),
			routing: sendAs('include'),
		},
		{
			displayName: 'Instructions',
			name: 'instructions',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			placeholder: 'e.g. Speak in a cheerful and positive tone',
			description: 'How to speak: tone, accent, pace (gpt-4o-mini-tts, not tts-1)',
			displayOptions: onlyFor('generateSpeech'),
			routing: sendAs('instructions'),
		},
		{
			displayName: 'Language',
			name: 'language',
			type: 'string',
			default: '',
			placeholder: 'e.g. de',
			description: 'The language of the audio as an ISO-639-1 code; improves accuracy and speed',
			displayOptions: onlyFor('transcribe'),
			routing: sendAs('language'),
		},
		{
			displayName: 'Prompt',
			name: 'prompt',
			type: 'string',
			default: '',
			description: 'Text that guides the style or continues a previous segment, in the language of the audio (English to translate)',
			displayOptions: onlyFor('transcribe', 'translate'),
			routing: sendAs('prompt'),
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			description: 'The name of the binary field the audio is written to',
			displayOptions: onlyFor('generateSpeech'),
		},
		{
			displayName: 'Response Format',
			name: 'speechFormat',
			type: 'options',
			options: [
				{ name: 'AAC', value: 'aac' },
				{ name: 'FLAC', value: 'flac' },
				{ name: 'MP3', value: 'mp3' },
				{ name: 'Opus', value: 'opus' },
				{ name: 'PCM', value: 'pcm', description: 'Raw 24 kHz 16-bit mono samples, no header' },
				{ name: 'WAV', value: 'wav' },
			],
			default: 'mp3',
			description: 'The audio format',
			displayOptions: onlyFor('generateSpeech'),
			routing: sendAs('response_format'),
		},
		{
			displayName: 'Response Format',
			name: 'transcriptionFormat',
			type: 'options',
			options: [
				...responseFormats,
				{ name: 'Diarized JSON', value: 'diarized_json', description: 'Segments with speakers (gpt-4o-transcribe-diarize)' },
			].sort((a, b) => a.name.localeCompare(b.name)),
			default: 'json',
			description: 'The format of the transcript. Text formats arrive in the field text.',
			displayOptions: onlyFor('transcribe'),
			routing: sendAs('response_format'),
		},
		{
			displayName: 'Response Format',
			name: 'translationFormat',
			type: 'options',
			options: responseFormats,
			default: 'json',
			description: 'The format of the translation. Text formats arrive in the field text.',
			displayOptions: onlyFor('translate'),
			routing: sendAs('response_format'),
		},
		{
			displayName: 'Sampling Temperature',
			name: 'temperature',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
			description: 'Between 0 and 1. Higher values make the text more random; 0 lets the model choose.',
			displayOptions: onlyFor('transcribe', 'translate'),
			routing: sendAs('temperature'),
		},
		{
			displayName: 'Speed',
			name: 'speed',
			type: 'number',
			default: 1,
			typeOptions: { minValue: 0.25, maxValue: 4, numberPrecision: 2 },
			description: 'How fast to speak, from 0.25 to 4',
			displayOptions: onlyFor('generateSpeech'),
			routing: sendAs('speed'),
		},
		{
			displayName: 'Timestamp Granularities',
			name: 'timestampGranularities',
			type: 'multiOptions',
			options: [
				{ name: 'Segment', value: 'segment' },
				{ name: 'Word', value: 'word' },
			],
			default: [],
			description: 'Timestamps to add per word and/or segment (Response Format Verbose JSON, whisper-1)',
			displayOptions: onlyFor('transcribe'),
			routing: sendAs('timestamp_granularities'),
		},
	]),
];

