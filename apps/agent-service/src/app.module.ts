import { Module, type DynamicModule } from '@nestjs/common';
import { AgentModule } from '@app/agent';
import { OperationsModule } from '@app/operations';
import { PlatformModule, type Environment } from '@app/platform';

/** Composes the service from its libs; optional dependencies are decided here, once, at boot. */
@Module({})
export class AppModule {
  static forRoot(env: Environment): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(env), OperationsModule.forRoot(), AgentModule.forRoot(env)],
    };
  }
}
