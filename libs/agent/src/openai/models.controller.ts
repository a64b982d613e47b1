import { Controller, Get, HttpStatus, Inject, Param, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '@app/access';
import { LLM_PROVIDER, type LlmProvider } from '../providers/llm-provider.js';
import { OpenAiRequestError } from './openai-error.js';
import { OpenAiErrorFilter } from './openai-error.filter.js';

/** `GET /v1/models`: the model this service answers with, in OpenAI's list shape. */
@ApiTags('openai')
@Controller('v1/models')
@Authenticated()
@UseFilters(OpenAiErrorFilter)
export class ModelsController {
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(@Inject(LLM_PROVIDER) private readonly provider: LlmProvider) {}

  @Get()
  @ApiOperation({ summary: 'List models (OpenAI-compatible)' })
  @ApiOkResponse({
    description: '`{"object": "list", "data": [{"id", "object", "created", "owned_by"}]}`',
  })
  list() {
    return { object: 'list', data: [this.model()] };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Retrieve a model (OpenAI-compatible)' })
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
