import { MockOpenAiUpstream } from './mock-openai-upstream.js';
import { ServiceProcess } from './service-process.js';

/** The service as agent frameworks see it: its built-in provider, or a mock OpenAI upstream. */
export type TargetKind = 'builtin' | 'upstream';

export interface AgentTarget {
  service: ServiceProcess;
  upstream?: MockOpenAiUpstream;
  /** The model the service serves (GET /v1/models). */
  model: string;
  /** The service's OpenAI base URL (`…/v1`). */
  baseURL: string;
  stop(): Promise<void>;
}

/** Starts the built service in front of the built-in provider or of a fresh mock upstream. */
export async function startTarget(
  kind: TargetKind,
  env: Record<string, string> = {},
): Promise<AgentTarget> {
  const upstream = kind === 'upstream' ? await new MockOpenAiUpstream().start() : undefined;
  const model = upstream ? 'mock-model' : 'builtin-echo';
  const service = await ServiceProcess.start({
    LOG_LEVEL: 'warn',
    ...(upstream ? { LLM_PROVIDER: 'openai', LLM_BASE_URL: upstream.url, LLM_MODEL: model } : {}),
    ...env,
  });
  await service.waitUntilLive();
  return {
    service,
    upstream,
    model,
    baseURL: `${service.url}/v1`,
    stop: async () => {
      await service.stop();
      await upstream?.stop();
    },
  };
}
