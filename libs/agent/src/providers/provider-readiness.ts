import type { ReadinessCheck } from '@app/platform';
import type { ProviderChain } from './provider-chain.js';

/** Injection token: one readiness check per provider of the chain. */
export const PROVIDER_READINESS = Symbol('PROVIDER_READINESS');

/**
 * Reports each provider in `/ready` as `llm:<id>` from its circuit state, without calling it
 * (a probe must not spend tokens). Never required: an LLM outage is shared by every replica, so
 * taking them all out of the load balancer would only turn clear 502s into connection errors.
 */
export function providerReadiness(chain: ProviderChain): ReadinessCheck[] {
  return chain.members.map((member) => ({
    name: `llm:${member.name}`,
    required: false,
    ping: () =>
      member.circuit === 'open' ? Promise.reject(new Error('circuit open')) : Promise.resolve(),
    describe: () => ({
      circuit: member.circuit,
      model: member.provider.model,
      ...(member.circuit === 'open' ? { error: 'circuit_open' } : {}),
    }),
  }));
}
