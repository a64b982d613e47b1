import {
  Body,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ClientId } from '@app/access';
import { OPENAI_SETTINGS, type OpenAiSettings } from '../openai-settings.js';
import { OpenAiController, OwnedObjectRoute } from '../openai-route.js';
import {
  BAD_PAGE,
  BODY_TOO_LARGE,
  CONVERSATION_BAD_REQUEST,
  CONVERSATION_NOT_FOUND,
  CONVERSATION_UNAVAILABLE,
  conversationNotFound,
  itemNotFound,
} from './conversation-errors.js';
import { readConversationItems } from './conversation-items.js';
import {
  CONVERSATION_STORE,
  type ConversationItem,
  type ConversationStore,
} from '../../conversations/conversation-store.js';
import {
  AddConversationItemsDto,
  ItemIncludeDto,
  ListConversationItemsDto,
} from './conversation.dto.js';
import { conversationObject } from './conversations.controller.js';
import {
  CONVERSATION_ITEM_LIST_SCHEMA,
  CONVERSATION_ITEM_SCHEMA,
  CONVERSATION_SCHEMA,
} from './conversations.schemas.js';

const LIST = { description: 'A page of items.', schema: CONVERSATION_ITEM_LIST_SCHEMA };

function itemList(items: ConversationItem[], hasMore: boolean) {
  return {
    object: 'list',
    data: items,
    first_id: items[0]?.id ?? null,
    last_id: items.at(-1)?.id ?? null,
    has_more: hasMore,
  };
}

/** The items of a conversation: listed by cursor, added, read and deleted one by one. */
@OpenAiController('v1/conversations/:id/items')
export class ConversationItemsController {
  constructor(
    @Inject(CONVERSATION_STORE) private readonly store: ConversationStore,
    @Inject(OPENAI_SETTINGS) private readonly settings: OpenAiSettings,
  ) {}

  @Get()
  @OwnedObjectRoute(
    { operationId: 'listConversationItems', summary: 'List a conversation’s items (cursor pages)' },
    LIST,
    BAD_PAGE,
    CONVERSATION_NOT_FOUND,
    CONVERSATION_UNAVAILABLE,
  )
  async list(
    @Param('id') id: string,
    @Query() query: ListConversationItemsDto,
    @ClientId() clientId: string | null,
  ) {
    const page = await this.store.page(id, clientId, {
      after: query.after,
      limit: query.limit ?? 20,
      order: query.order ?? 'desc',
    });
    if (!page) throw conversationNotFound();
    return itemList(page.items, page.hasMore);
  }

  @Post()
  @HttpCode(HttpStatus.OK)
  @OwnedObjectRoute(
    { operationId: 'createConversationItems', summary: 'Add items to a conversation' },
    { description: 'The items added, with their ids.', schema: CONVERSATION_ITEM_LIST_SCHEMA },
    CONVERSATION_BAD_REQUEST,
    CONVERSATION_NOT_FOUND,
    BODY_TOO_LARGE,
    CONVERSATION_UNAVAILABLE,
  )
  async add(
    @Param('id') id: string,
    @Body() body: AddConversationItemsDto,
    @Query() _query: ItemIncludeDto,
    @ClientId() clientId: string | null,
  ) {
    const items = readConversationItems(body.items, this.settings.conversationMaxBytes, 1);
    if (!(await this.store.append(id, clientId, items))) throw conversationNotFound();
    return itemList(items, false);
  }

  @Get(':itemId')
  @OwnedObjectRoute(
    { operationId: 'getConversationItem', summary: 'Get one item of a conversation' },
    { description: 'The item.', schema: CONVERSATION_ITEM_SCHEMA },
    CONVERSATION_NOT_FOUND,
    CONVERSATION_UNAVAILABLE,
  )
  async get(
    @Param('id') id: string,
    @Param('itemId') itemId: string,
    @Query() _query: ItemIncludeDto,
    @ClientId() clientId: string | null,
  ) {
    const item = await this.store.item(id, clientId, itemId);
    if (item) return item;
    throw (await this.store.get(id, clientId)) ? itemNotFound() : conversationNotFound();
  }

  @Delete(':itemId')
  @OwnedObjectRoute(
    { operationId: 'deleteConversationItem', summary: 'Delete one item of a conversation' },
    { description: 'The conversation the item was in.', schema: CONVERSATION_SCHEMA },
    CONVERSATION_NOT_FOUND,
    CONVERSATION_UNAVAILABLE,
  )
  async remove(
    @Param('id') id: string,
    @Param('itemId') itemId: string,
    @ClientId() clientId: string | null,
  ) {
    const deleted = await this.store.deleteItem(id, clientId, itemId);
    const record = await this.store.get(id, clientId);
    if (!record) throw conversationNotFound();
    if (!deleted) throw itemNotFound();
    return conversationObject(record);
  }
}
