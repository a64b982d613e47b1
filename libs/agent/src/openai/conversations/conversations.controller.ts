import { Body, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post } from '@nestjs/common';
import { ClientId } from '@app/access';
import { OPENAI_SETTINGS, type OpenAiSettings } from '../openai-settings.js';
import { OpenAiController, OwnedObjectRoute } from '../openai-route.js';
import {
  BODY_TOO_LARGE,
  CONVERSATION_BAD_REQUEST,
  CONVERSATION_NOT_FOUND,
  CONVERSATION_UNAVAILABLE,
  conversationNotFound,
} from './conversation-errors.js';
import { readConversationItems } from './conversation-items.js';
import { readMetadata } from './conversation-metadata.js';
import {
  CONVERSATION_STORE,
  type ConversationRecord,
  type ConversationStore,
} from '../../conversations/conversation-store.js';
import { CreateConversationDto, UpdateConversationDto } from './conversation.dto.js';
import { CONVERSATION_DELETED_SCHEMA, CONVERSATION_SCHEMA } from './conversations.schemas.js';

/** A conversation as the Conversations API answers it. */
export const conversationObject = (record: ConversationRecord) => ({
  id: record.id,
  object: 'conversation',
  created_at: record.createdAt,
  metadata: record.metadata,
});

const OK = { description: 'The `conversation` object.', schema: CONVERSATION_SCHEMA };

/** `/v1/conversations` (OpenAI's Conversations API): each conversation is its client's own. */
@OpenAiController('v1/conversations')
export class ConversationsController {
  constructor(
    @Inject(CONVERSATION_STORE) private readonly store: ConversationStore,
    @Inject(OPENAI_SETTINGS) private readonly settings: OpenAiSettings,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @OwnedObjectRoute(
    { operationId: 'createConversation', summary: 'Create a conversation, optionally with items' },
    OK,
    CONVERSATION_BAD_REQUEST,
    BODY_TOO_LARGE,
    CONVERSATION_UNAVAILABLE,
  )
  async create(@Body() body: CreateConversationDto, @ClientId() clientId: string | null) {
    const metadata = readMetadata(body.metadata);
    const items = readConversationItems(body.items, this.settings.conversationMaxBytes);
    return conversationObject(await this.store.create(clientId, metadata, items));
  }

  @Get(':id')
  @OwnedObjectRoute(
    { operationId: 'getConversation', summary: 'Get a conversation (this client’s own)' },
    OK,
    CONVERSATION_NOT_FOUND,
    CONVERSATION_UNAVAILABLE,
  )
  async get(@Param('id') id: string, @ClientId() clientId: string | null) {
    const record = await this.store.get(id, clientId);
    if (!record) throw conversationNotFound();
    return conversationObject(record);
  }

  @Post(':id')
  @HttpCode(HttpStatus.OK)
  @OwnedObjectRoute(
    { operationId: 'updateConversation', summary: 'Replace a conversation’s metadata' },
    OK,
    CONVERSATION_BAD_REQUEST,
    CONVERSATION_NOT_FOUND,
    BODY_TOO_LARGE,
    CONVERSATION_UNAVAILABLE,
  )
  async update(
    @Param('id') id: string,
    @Body() body: UpdateConversationDto,
    @ClientId() clientId: string | null,
  ) {
    const record = await this.store.update(id, clientId, readMetadata(body.metadata));
    if (!record) throw conversationNotFound();
    return conversationObject(record);
  }

  @Delete(':id')
  @OwnedObjectRoute(
    { operationId: 'deleteConversation', summary: 'Delete a conversation and its items' },
    { description: 'Deleted.', schema: CONVERSATION_DELETED_SCHEMA },
    CONVERSATION_NOT_FOUND,
    CONVERSATION_UNAVAILABLE,
  )
  async remove(@Param('id') id: string, @ClientId() clientId: string | null) {
    if (!(await this.store.delete(id, clientId))) throw conversationNotFound();
    return { id, object: 'conversation.deleted', deleted: true };
  }
}
