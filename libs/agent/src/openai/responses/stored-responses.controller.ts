import { Controller, Delete, Get, HttpStatus, Param, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, ClientId } from '@app/access';
import { OpenAiRequestError } from '../openai-error.js';
import { OpenAiErrorFilter } from '../openai-error.filter.js';
import { ApiOpenAiErrors, OPENAI_ACCESS_ERRORS } from '../openai-api.schemas.js';
import { InMemoryResponseStore } from './response-store.js';
import { DELETED_SCHEMA, INPUT_ITEMS_SCHEMA, RESPONSE_SCHEMA } from './responses.schemas.js';

const NOT_FOUND = {
  status: 404,
  description: 'No such response for this client (another client’s ids are not found either)',
  message: 'No response with this id exists for this client',
  code: 'not_found',
};

/** A missing response, or another client's: the same 404, naming the parameter. */
export function responseNotFound(param: string): OpenAiRequestError {
  return new OpenAiRequestError(NOT_FOUND.message, param, 'not_found', HttpStatus.NOT_FOUND);
}

/** The stored responses of `POST /v1/responses`, each readable only by the client that made it. */
@ApiTags('openai')
@Controller('v1/responses')
@UseFilters(OpenAiErrorFilter)
@ApiOpenAiErrors({
  status: 500,
  description: 'An unexpected error',
  message: 'An unexpected error occurred',
})
export class StoredResponsesController {
  constructor(private readonly store: InMemoryResponseStore) {}

  @Get(':id')
  // Above @Authenticated: its 401 reaches this controller's filter, so it is an OpenAI error.
  @ApiOpenAiErrors(OPENAI_ACCESS_ERRORS[0], NOT_FOUND)
  @Authenticated()
  @ApiOperation({
    operationId: 'getResponse',
    summary: 'Get a stored response (this client’s own)',
  })
  @ApiOkResponse({ description: 'The `response` object.', schema: RESPONSE_SCHEMA })
  get(@Param('id') id: string, @ClientId() clientId: string | null) {
    const stored = this.store.get(id, clientId);
    if (!stored) throw responseNotFound('id');
    return stored.response;
  }

  @Get(':id/input_items')
  // Above @Authenticated: its 401 reaches this controller's filter, so it is an OpenAI error.
  @ApiOpenAiErrors(OPENAI_ACCESS_ERRORS[0], NOT_FOUND)
  @Authenticated()
  @ApiOperation({
    operationId: 'listInputItems',
    summary: 'List the input items of a stored response',
  })
  @ApiOkResponse({ description: 'The items, in order.', schema: INPUT_ITEMS_SCHEMA })
  inputItems(@Param('id') id: string, @ClientId() clientId: string | null) {
    const stored = this.store.get(id, clientId);
    if (!stored) throw responseNotFound('id');
    const data = stored.inputItems.map((item, i) => ({ id: `item_${i}`, ...item }));
    return {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: false,
    };
  }

  @Delete(':id')
  // Above @Authenticated: its 401 reaches this controller's filter, so it is an OpenAI error.
  @ApiOpenAiErrors(OPENAI_ACCESS_ERRORS[0], NOT_FOUND)
  @Authenticated()
  @ApiOperation({ operationId: 'deleteResponse', summary: 'Delete a stored response' })
  @ApiOkResponse({ description: 'Deleted.', schema: DELETED_SCHEMA })
  remove(@Param('id') id: string, @ClientId() clientId: string | null) {
    if (!this.store.delete(id, clientId)) throw responseNotFound('id');
    return { id, object: 'response', deleted: true };
  }
}
