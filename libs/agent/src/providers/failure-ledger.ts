import type { ProviderError } from './provider-error.js';

/** Who caused a provider call: the API client (null without keys) and the prompt's SHA-256. */
export interface RequestOrigin {
  clientId: string | null;
  promptSha256: string;
}

/**
 * Decides which failures count towards opening a provider's circuit, so that one client's inputs
 * cannot pause the provider for every client. Within one run of failures (they end at a success
 * or when the circuit changes state):
 * - a prompt counts once, however often it fails (a prompt that makes the upstream fail, sent
 *   again and again, is one failure);
 * - one API client counts for at most half the threshold, rounded up, so it takes failures from
 *   two clients or more to open the circuit (without keys there is one tenant and no cap);
 * - an unreachable upstream always counts: no input can cause it.
 * Holds at most `threshold` entries: the run ends when the circuit opens.
 */
export class FailureLedger {
  private readonly byClient = new Map<string, number>();
  private readonly prompts = new Set<string>();
  private readonly maxPerClient: number;

  constructor(threshold: number) {
    this.maxPerClient = Math.ceil(threshold / 2);
  }

  /** Whether the failure counts; a counted failure is remembered for the rest of the run. */
  counts(failure: ProviderError, origin: RequestOrigin | undefined): boolean {
    if (failure.kind === 'unavailable' || origin === undefined) return true;
    if (this.prompts.has(origin.promptSha256)) return false;
    const client = origin.clientId;
    if (client !== null) {
      const counted = this.byClient.get(client) ?? 0;
      if (counted >= this.maxPerClient) return false;
      this.byClient.set(client, counted + 1);
    }
    this.prompts.add(origin.promptSha256);
    return true;
  }

  /**
   * Ends the run. Called after every successful call: an empty ledger is left as it is, since
   * clearing a Map or Set allocates a new table for it even when it holds nothing.
   */
  reset(): void {
    if (this.prompts.size === 0 && this.byClient.size === 0) return;
    this.byClient.clear();
    this.prompts.clear();
  }
}
