import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ProblemException } from '@app/platform';
import { CONVERSATION_STORE, type ConversationStore } from '../conversations/conversation-store.js';
// The items a conversation keeps are the Responses API's: /query reads and writes them so.
import {
  conversationItems,
  conversationTurns,
} from '../openai/conversations/conversation-items.js';
import { trimConversation } from '../openai/responses/response-store.js';
import { OPENAI_SETTINGS, type OpenAiSettings } from '../openai/openai-settings.js';
import type { QueryInput } from './query.service.js';

/**
 * `/query`'s multi-turn memory: a query with a `conversation_id` is asked with the
 * conversation's earlier turns (trimmed oldest first, as `previous_response_id` is), and its
 * prompt and answer are added to the conversation once answered.
 */
@Injectable()
export class QueryConversations {
  constructor(
    @Inject(CONVERSATION_STORE) private readonly store: ConversationStore,
    @Inject(OPENAI_SETTINGS) private readonly settings: OpenAiSettings,
  ) {}

  /** The input with the earlier turns as its messages; 404 when not the client's conversation. */
  async withHistory(input: QueryInput): Promise<QueryInput> {
    if (!input.conversationId) return input;
    const items = await this.store.items(input.conversationId, input.clientId ?? null);
    if (!items) throw notFound();
    const messages = trimConversation(
      [...conversationTurns(items), { role: 'user', content: input.prompt }],
      this.settings.contextMaxBytes,
    );
    return { ...input, messages };
  }

  /** Adds the prompt and its answer to the input's conversation, if it has one. */
  async remember(input: QueryInput, answer: string): Promise<void> {
    if (!input.conversationId) return;
    const user = { role: 'user', content: input.prompt };
    const assistant = { role: 'assistant', content: answer };
    const items = conversationItems([
      { type: 'message', ...user },
      { type: 'message', ...assistant },
    ]);
    await this.store.append(input.conversationId, input.clientId ?? null, items);
  }
}

function notFound(): ProblemException {
  return new ProblemException(
    HttpStatus.NOT_FOUND,
    'No conversation with this id exists for this client',
    [{ field: 'conversation_id', message: 'No conversation with this id exists for this client' }],
  );
}
