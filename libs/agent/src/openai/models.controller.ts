import { Controller, Get, HttpStatus, Inject, Param, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '@app/access';
import { LLM_PROVIDER, type LlmProvider } from '../providers/llm-provider.js';
import { OpenAiRequestError } from './openai-error.js';
import { OpenAiErrorFilter } from './openai-error.filter.js';
import {
  ApiOpenAiErrors,
  MODEL_LIST_SCHEMA,
  MODEL_SCHEMA,
  OPENAI_ACCESS_ERRORS,
} from './openai-api.schemas.js';

/** `GET /v1/models`: the model this service answers with, in OpenAI's list shape. */
@ApiTags('openai')
@Controller('v1/models')
// Above @Authenticated: its 401 reaches this controller's filter, so it is an OpenAI error here.
@ApiOpenAiErrors(OPENAI_ACCESS_ERRORS[0])
@Authenticated()
@UseFilters(OpenAiErrorFilter)
@ApiOpenAiErrors({
  status: 500,
  description: 'An unexpected error',
  message: 'An unexpected error occurred',
})
export class ModelsController {
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(@Inject(LLM_PROVIDER) private readonly provider: LlmProvider) {}

  @Get()
  @ApiOperation({ operationId: 'listModels', summary: 'List models (OpenAI-compatible)' })
  @ApiOkResponse({
    description: 'The model this service answers with, in a list.',
    schema: MODEL_LIST_SCHEMA,
  })
  list() {
    return { object: 'list', data: [this.model()] };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'retrieveModel', summary: 'Retrieve a model (OpenAI-compatible)' })
  @ApiParam({ name: 'id', description: 'A model id from GET /v1/models.' })
  @ApiOkResponse({ description: 'The model.', schema: MODEL_SCHEMA })
  @ApiOpenAiErrors({
    status: 404,
    description: 'Not a model of this service (code model_not_found)',
    message: 'The model does not exist or you do not have access to it.',
    param: 'model',
    code: 'model_not_found',
  })
  retrieve(@Param('id') id: string) {
    if (id !== this.provider.model) {
      throw new OpenAiRequestError(
        'The model does not exist or you do not have access to it.',
        'model',
        'model_not_found',
        HttpStatus.NOT_FOUND,
      );
    }
    return this.model();
  }

  private model() {
    return {
      id: this.provider.model,
      object: 'model',
      created: this.created,
      owned_by: this.provider.name,
    };
  }
}
