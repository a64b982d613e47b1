import { Module, type DynamicModule, type InjectionToken } from '@nestjs/common';
import { AgentModule, loadHistorySchema } from '@app/agent';
import { OperationsModule } from '@app/operations';
import { PlatformModule, type Environment } from '@app/platform';
import { DATABASE_READINESS, DatabaseModule } from '@app/platform/database';
import { REDIS_READINESS, RedisModule } from '@app/platform/redis';
import { DocsModule } from './docs/docs.module.js';

/**
 * Composes the service from its libs. Optional dependencies are decided here, once, at boot:
 * without DATABASE_URL / REDIS_URL no database or Redis code is even registered.
 */
@Module({})
export class AppModule {
  static forRoot(env: Environment): DynamicModule {
    const readinessChecks: InjectionToken[] = [];
    const optional: DynamicModule[] = [];
    if (env.DATABASE_URL) {
      optional.push(DatabaseModule.forRoot(env, loadHistorySchema));
      readinessChecks.push(DATABASE_READINESS);
    }
    if (env.REDIS_URL) {
      optional.push(RedisModule.forRoot(env));
      readinessChecks.push(REDIS_READINESS);
    }
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(env),
        ...optional,
        OperationsModule.forRoot({ readinessChecks }),
        AgentModule.forRoot(env),
        DocsModule,
      ],
    };
  }
}
