import { ApiProperty } from '@nestjs/swagger';

/** Data of a `chunk` event of a streamed `POST /query`. */
export class QueryStreamChunkDto {
  @ApiProperty({ description: 'The next piece of the answer, as produced.', example: 'Processed:' })
  text!: string;
}

/** Data of the final `done` event of a streamed `POST /query`. */
export class QueryStreamDoneDto {
  @ApiProperty({ format: 'uuid', description: 'Id of this query in the history.' }) id!: string;
  @ApiProperty({ example: 19 }) tokens_used!: number;
  @ApiProperty({ example: 'builtin' }) provider!: string;
  @ApiProperty({ example: 'builtin-echo' }) model!: string;
  @ApiProperty({ enum: ['HIT', 'MISS', 'BYPASS'] }) cache!: string;
}

export const QUERY_STREAM_EXAMPLE = [
  'event: chunk\ndata: {"text":"Processed:"}\n',
  'event: chunk\ndata: {"text":" hello"}\n',
  'event: done\ndata: {"id":"6f1c…","tokens_used":4,"provider":"builtin","model":"builtin-echo","cache":"MISS"}\n',
].join('\n');

export const QUERY_STREAM_DESCRIPTION =
  'With `"stream": true` (or `Accept: text/event-stream`): Server-Sent Events. One `chunk` event ' +
  '(`{"text"}`) per piece of the answer as the provider produces it, then one `done` event ' +
  '(`{"id","tokens_used","provider","model","cache"}`). A failure before the first event is an ' +
  'ordinary error response; after it, an `error` event whose data is a problem document ends the ' +
  'stream (no `done`). Lines starting with `:` are keep-alive comments.';
