import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, DatabaseConnector } from '@app/platform/database';
import { REDIS_CLIENT } from '@app/platform/redis';
import { ADMIN_CONFIG, type AdminConfig } from '../access.config.js';
import { KeyRegistry } from '../keys/key-registry.js';
import { AdminAuditController } from './admin-audit.controller.js';
import { AdminKeysController } from './admin-keys.controller.js';
import { AdminUsageController } from './admin-usage.controller.js';
import { AdminGuard } from './admin.guard.js';
import { InMemoryKeyStore } from './in-memory-key-store.js';
import { KeyAdminService } from './key-admin.service.js';
import { KeySync } from './key-sync.js';
import { KEY_STORE, type KeyStore } from './managed-key.js';
import { PostgresKeyStore } from './postgres/postgres-key-store.js';

export interface AdminModuleOptions {
  config: AdminConfig;
  /** With PostgreSQL, managed keys and their audit trail live there, shared by replicas. */
  database?: DynamicModule;
  /** With Redis, a change is announced to the other replicas at once. */
  redis?: DynamicModule;
}

/**
 * The operator's API under /admin: the keys it manages (stored in PostgreSQL or memory, kept in
 * step with the key registry on every replica, every change audited) and usage per client.
 */
@Module({})
export class AdminModule {
  static forRoot({ config, database, redis }: AdminModuleOptions): DynamicModule {
    const store: Provider = database
      ? {
          provide: KEY_STORE,
          inject: [DATA_SOURCE, DatabaseConnector],
          useFactory: (ds: DataSource, connector: DatabaseConnector) =>
            new PostgresKeyStore(ds, connector),
        }
      : { provide: KEY_STORE, useFactory: () => new InMemoryKeyStore() };
    return {
      module: AdminModule,
      imports: [database, redis].filter((m): m is DynamicModule => m !== undefined),
      controllers: [AdminKeysController, AdminAuditController, AdminUsageController],
      providers: [
        { provide: ADMIN_CONFIG, useValue: config },
        store,
        {
          provide: KeySync,
          inject: [KEY_STORE, KeyRegistry, PinoLogger, ...(redis ? [REDIS_CLIENT] : [])],
          useFactory: (s: KeyStore, keys: KeyRegistry, logger: PinoLogger, client?: Redis) => {
            logger.setContext('access');
            const pubsub = client && { client, channel: config.channel };
            return new KeySync(s, keys, logger, pubsub);
          },
        },
        {
          provide: KeyAdminService,
          inject: [KEY_STORE, KeyRegistry, KeySync, PinoLogger],
          useFactory: (s: KeyStore, keys: KeyRegistry, sync: KeySync, logger: PinoLogger) => {
            logger.setContext('admin');
            return new KeyAdminService(s, keys, sync, logger, config.rotationGraceSeconds);
          },
        },
        AdminGuard,
      ],
    };
  }
}
