import { Delete, Get, HttpStatus, Inject, Param } from '@nestjs/common';
import { ClientId } from '@app/access';
import { OpenAiRequestError } from '../openai-error.js';
import type { OpenAiErrorResponse } from '../openai-api.schemas.js';
import { OpenAiController, OwnedObjectRoute } from '../openai-route.js';
import { RESPONSE_STORE, type ResponseStore, type StoredResponse } from './response-store.js';
import { DELETED_SCHEMA, INPUT_ITEMS_SCHEMA, RESPONSE_SCHEMA } from './responses.schemas.js';

const NOT_FOUND: OpenAiErrorResponse = {
  status: 404,
  description: 'No such response for this client (another client’s ids are not found either)',
  message: 'No response with this id exists for this client',
  code: 'not_found',
};

const UNAVAILABLE: OpenAiErrorResponse = {
  status: 503,
  description: 'The response store (PostgreSQL) cannot be reached',
  message: 'Stored responses are temporarily unavailable',
};

/** A missing response, or another client's: the same 404, naming the parameter. */
export function responseNotFound(param: string): OpenAiRequestError {
  return new OpenAiRequestError(NOT_FOUND.message, param, 'not_found', HttpStatus.NOT_FOUND);
}

/** The stored responses of `POST /v1/responses`, each readable only by the client that made it. */
@OpenAiController('v1/responses')
export class StoredResponsesController {
  constructor(@Inject(RESPONSE_STORE) private readonly store: ResponseStore) {}

  @Get(':id')
  @OwnedObjectRoute(
    { operationId: 'getResponse', summary: 'Get a stored response (this client’s own)' },
    { description: 'The `response` object.', schema: RESPONSE_SCHEMA },
    NOT_FOUND,
    UNAVAILABLE,
  )
  async get(@Param('id') id: string, @ClientId() clientId: string | null) {
    return (await this.find(id, clientId)).response;
  }

  @Get(':id/input_items')
  @OwnedObjectRoute(
    { operationId: 'listInputItems', summary: 'List the input items of a stored response' },
    { description: 'The items, in order.', schema: INPUT_ITEMS_SCHEMA },
    NOT_FOUND,
    UNAVAILABLE,
  )
  async inputItems(@Param('id') id: string, @ClientId() clientId: string | null) {
    const data = (await this.find(id, clientId)).inputItems.map((item, i) => ({
      id: `item_${i}`,
      ...item,
    }));
    return {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: false,
    };
  }

  @Delete(':id')
  @OwnedObjectRoute(
    { operationId: 'deleteResponse', summary: 'Delete a stored response' },
    { description: 'Deleted.', schema: DELETED_SCHEMA },
    NOT_FOUND,
    UNAVAILABLE,
  )
  async remove(@Param('id') id: string, @ClientId() clientId: string | null) {
    if (!(await this.store.delete(id, clientId))) throw responseNotFound('id');
    return { id, object: 'response', deleted: true };
  }

  private async find(id: string, clientId: string | null): Promise<StoredResponse> {
    const stored = await this.store.get(id, clientId);
    if (!stored) throw responseNotFound('id');
    return stored;
  }
}
