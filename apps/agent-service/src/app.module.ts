import { Module, type DynamicModule } from '@nestjs/common';
import { AccessModule, accessConfig } from '@app/access';
import { AgentModule, agentConfig, messageCapture, PROVIDER_READINESS } from '@app/agent';
import { OperationsModule, readinessOptions } from '@app/operations';
import { PlatformModule } from '@app/platform';
import { DATABASE_READINESS, DatabaseModule, databaseConfig } from '@app/platform/database';
import { loadSchema } from './database-schema.js';
import { REDIS_READINESS, RedisModule, redisConfig } from '@app/platform/redis';
import { DocsModule } from './docs/docs.module.js';
import type { ServiceEnvironment } from './service-environment.js';

/**
 * Composes the service from its libs. Which optional dependencies exist is decided here, once:
 * without DATABASE_URL / REDIS_URL no database or Redis code is registered, and the modules
 * that use one receive it (or not) from here. Each module gets its own slice of the settings.
 */
@Module({})
export class AppModule {
  static forRoot(env: ServiceEnvironment): DynamicModule {
    const databaseSettings = databaseConfig(env);
    const redisSettings = redisConfig(env);
    const database = databaseSettings && DatabaseModule.forRoot(databaseSettings, loadSchema);
    const redis = redisSettings && RedisModule.forRoot(redisSettings);
    const agent = AgentModule.forRoot({
      config: agentConfig(env),
      database,
      redis,
      capture: messageCapture(env),
    });
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(env),
        OperationsModule.forRoot({
          readiness: readinessOptions(env),
          dependencies: [
            ...(database ? [{ module: database, check: DATABASE_READINESS }] : []),
            ...(redis ? [{ module: redis, check: REDIS_READINESS }] : []),
            // LLM providers are reported, never required (see the agent's provider readiness).
            { module: agent, check: PROVIDER_READINESS },
          ],
        }),
        AccessModule.forRoot({ config: accessConfig(env), redis, database }),
        agent,
        // Swagger UI and the document are routes like any other (request id, log line, metrics).
        ...(env.DOCS_ENABLED ? [DocsModule] : []),
      ],
    };
  }
}
