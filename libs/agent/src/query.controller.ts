import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { ProblemDetailsDto } from '@app/platform';
import { CreateQueryDto } from './dto/create-query.dto.js';
import { QueryResponseDto } from './dto/query-response.dto.js';
import { QueryService } from './query.service.js';

@ApiTags('agent')
@Controller('query')
export class QueryController {
  constructor(private readonly queries: QueryService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Ask the agent',
    description: 'Sends the prompt to the configured LLM provider.',
  })
  @ApiOkResponse({ type: QueryResponseDto })
  @ApiBadRequestResponse({
    type: ProblemDetailsDto,
    description:
      'Empty prompt, max_tokens out of 10..2000, wrong types, unknown fields or malformed JSON.',
  })
  @ApiPayloadTooLargeResponse({
    type: ProblemDetailsDto,
    description: 'Body larger than BODY_LIMIT.',
  })
  @ApiUnsupportedMediaTypeResponse({
    type: ProblemDetailsDto,
    description: 'Body not sent as application/json.',
  })
  query(@Body() body: CreateQueryDto): Promise<QueryResponseDto> {
    return this.queries.query({ prompt: body.prompt, maxTokens: body.max_tokens });
  }
}
