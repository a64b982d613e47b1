// The service itself, imported by the entry point (main.ts) once tracing is set up.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { runApiKeyCommand } from '@app/access';
import { startLivenessListener } from '@app/operations';
import {
  ConfigValidationError,
  installGracefulShutdown,
  listen,
  ServiceExpressAdapter,
} from '@app/platform';
import { AppModule } from './app.module.js';
import { configureApp } from './configure-app.js';
import { loadServiceEnvironment, type ServiceEnvironment } from './service-environment.js';

function readEnvironment(): ServiceEnvironment {
  try {
    return loadServiceEnvironment(process.env);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    // The logger is not configured yet (its level is part of what failed): one plain line on stderr.
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const env = readEnvironment();
  // Its thread boots (~90 ms: an isolate and Node's own start-up) while the application
  // initialises on this one; awaited before the main port opens (see below).
  const liveness =
    env.LIVENESS_PORT > 0
      ? startLivenessListener({
          port: env.LIVENESS_PORT,
          host: env.HOST,
          version: env.APP_VERSION,
          maxStallMs: env.LIVENESS_MAX_STALL_MS,
        })
      : undefined;
  // A start-up that fails before the await below reports its own error, not this one.
  liveness?.catch(() => undefined);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(env),
    new ServiceExpressAdapter(),
    {
      bodyParser: false,
      bufferLogs: true,
      // A provider that fails at boot (e.g. invalid API keys) reaches the catch below: one line.
      abortOnError: false,
    },
  );
  configureApp(app, env);
  const logger = app.get(Logger);
  installGracefulShutdown(app, {
    graceMs: env.SHUTDOWN_GRACE_MS,
    drainDelayMs: env.SHUTDOWN_DRAIN_DELAY_MS,
    logger,
  });
  await app.init();
  if (liveness) {
    // Up before the main port: a kubelet probes liveness as soon as the startup probe (on the
    // main port) passes. Kept until the process exits: liveness holds while the service drains.
    await liveness;
    logger.log(`liveness probe on http://${env.HOST}:${env.LIVENESS_PORT}/health`, 'Bootstrap');
  }
  const acceptors = await listen(app.getHttpServer(), {
    port: env.PORT,
    host: env.HOST,
    acceptors: env.HTTP_ACCEPTORS,
  });
  logger.log(
    `listening on http://${env.HOST}:${env.PORT} (${env.ENVIRONMENT}, ${acceptors} acceptors)`,
    'Bootstrap',
  );
}

// `main.js apikey new <client-id>`: the same entry point generates keys, so the production
// image (node and this bundle, no shell) can: docker run --rm IMAGE /app/main.mjs apikey new ID
if (process.argv[2] === 'apikey') {
  void runApiKeyCommand(process.argv.slice(3)).then((code) => (process.exitCode = code));
} else {
  bootstrap().catch((error: unknown) => {
    process.stderr.write(
      `Start-up failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
