import type { Environment } from '@app/platform';
import type { MessageCapture } from './message-capture.js';

/** Whether GenAI spans carry prompts and answers (OTEL_INSTRUMENTATION_GENAI_*). */
export function messageCapture(env: Environment): MessageCapture {
  return {
    enabled: env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
    maxBytes: env.OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_BYTES,
  };
}
