import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { ServiceExpressAdapter } from '@app/platform';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/configure-app.js';
import { loadServiceEnvironment, type ServiceEnvironment } from '../../src/service-environment.js';

export interface TestApp {
  app: NestExpressApplication;
  env: ServiceEnvironment;
  server: ReturnType<NestExpressApplication['getHttpServer']>;
  close(): Promise<void>;
}

/** Boots the real module graph and HTTP setup in-process, on a validated test environment. */
export async function createTestApp(vars: Record<string, string> = {}): Promise<TestApp> {
  const env = loadServiceEnvironment({ LOG_LEVEL: 'silent', ...vars });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(env)] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(new ServiceExpressAdapter(), {
    bodyParser: false,
    bufferLogs: true,
  });
  configureApp(app, env);
  await app.init();
  return { app, env, server: app.getHttpServer(), close: () => app.close() };
}
