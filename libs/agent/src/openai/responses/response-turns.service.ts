import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LLM_PROVIDER, type ChatMessage, type LlmProvider } from '../../providers/llm-provider.js';
import type { QueryInput, QueryResult } from '../../query/query.service.js';
import { conversationNotFound } from '../conversations/conversation-errors.js';
import {
  conversationItems,
  conversationTurns,
  requireWithin,
} from '../conversations/conversation-items.js';
import {
  CONVERSATION_STORE,
  type ConversationItem,
  type ConversationStore,
} from '../../conversations/conversation-store.js';
import { requireServedModel } from '../openai-error.js';
import { OPENAI_SETTINGS, type OpenAiSettings } from '../openai-settings.js';
import type { CreateResponseDto } from './create-response.dto.js';
import { readConversationParam } from './response-conversation.js';
import { readInput, readResponseParameters, type InputItem } from './response-input.js';
import { assistantTurn, type ResponseFields } from './response-output.js';
import { RESPONSE_STORE, trimConversation, type ResponseStore } from './response-store.js';
import { responseNotFound } from './stored-responses.controller.js';

/** One `POST /v1/responses` turn: what to ask, and what to keep once it is answered. */
export interface ResponseTurn {
  query: QueryInput;
  fields: ResponseFields;
  clientId: string | null;
  inputItems: InputItem[];
  /** The input as the conversation (if any) will keep it. */
  conversationItems: ConversationItem[];
  /** The turns sent, instructions aside: what `previous_response_id` continues. */
  context: ChatMessage[];
}

/**
 * The context of a Responses request (a stored response it continues, or a conversation) and
 * what its answer leaves behind (the stored response, the conversation's new items).
 */
@Injectable()
export class ResponseTurns {
  constructor(
    @Inject(RESPONSE_STORE) private readonly responses: ResponseStore,
    @Inject(CONVERSATION_STORE) private readonly conversations: ConversationStore,
    @Inject(LLM_PROVIDER) private readonly provider: LlmProvider,
    @Inject(OPENAI_SETTINGS) private readonly settings: OpenAiSettings,
  ) {}

  async prepare(body: CreateResponseDto, clientId: string | null): Promise<ResponseTurn> {
    requireServedModel(body.model, this.provider.model);
    const { messages: turns, items } = readInput(body.input);
    const params = readResponseParameters(body);
    const ceiling = this.settings.maxCompletionTokens;
    if (body.max_output_tokens) {
      params.max_completion_tokens = Math.min(body.max_output_tokens, ceiling);
    }
    const conversationId = readConversationParam(body.conversation, body.previous_response_id);
    const added = conversationId ? conversationItems(items) : [];
    requireWithin(added, this.settings.conversationMaxBytes, 'input');
    const earlier = await this.earlierTurns(body.previous_response_id, conversationId, clientId);
    const context = trimConversation([...earlier, ...turns], this.settings.contextMaxBytes);
    const messages: ChatMessage[] = body.instructions
      ? [{ role: 'system', content: body.instructions }, ...context]
      : context;
    const id = randomUUID();
    return {
      query: {
        id,
        prompt: messages.findLast((m) => m.role === 'user')?.content ?? '',
        messages,
        maxTokens: Math.min(body.max_output_tokens ?? ceiling, ceiling),
        params,
        cacheable: !params.tools,
        clientId,
        ...(conversationId ? { recordedInConversation: conversationId } : {}),
      },
      fields: {
        id: `resp_${id.replaceAll('-', '')}`,
        createdAt: Math.floor(Date.now() / 1000),
        model: body.model,
        instructions: body.instructions ?? null,
        previousResponseId: body.previous_response_id ?? null,
        conversationId: conversationId ?? null,
        maxOutputTokens: body.max_output_tokens ?? null,
        store: body.store !== false,
        params,
      },
      clientId,
      inputItems: items,
      conversationItems: added,
      context,
    };
  }

  /** Stores the response (unless `store: false`) and adds the turn to its conversation. */
  async keep(turn: ResponseTurn, result: QueryResult, response: Record<string, unknown>) {
    const { fields, clientId } = turn;
    if (fields.store) {
      await this.responses.put(fields.id, {
        clientId,
        response,
        inputItems: turn.inputItems,
        messages: [...turn.context, assistantTurn(result)],
      });
    }
    if (fields.conversationId) {
      const output = response.output as ConversationItem[];
      // A conversation deleted while the answer was made has nothing left to add to.
      await this.conversations.append(fields.conversationId, clientId, [
        ...turn.conversationItems,
        ...output,
      ]);
    }
  }

  private async earlierTurns(
    previousId: string | undefined,
    conversationId: string | undefined,
    clientId: string | null,
  ): Promise<ChatMessage[]> {
    if (previousId) {
      const previous = await this.responses.get(previousId, clientId);
      if (!previous) throw responseNotFound('previous_response_id');
      return previous.messages;
    }
    if (!conversationId) return [];
    const items = await this.conversations.items(conversationId, clientId);
    if (!items) throw conversationNotFound('conversation');
    return conversationTurns(items);
  }
}
