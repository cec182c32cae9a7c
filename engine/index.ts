/** The cadence engine: no n8n imports, usable and testable on its own. */
export * from './cadence/definition';
export { contentHash } from './cadence/content-hash';
export * from './errors';
export * from './timing';
export * from './store/types';
export * from './store/inputs';
export { CadenceStore, type Store } from './store/store';
export { openStore, type StoreConfig } from './store/open';
export { migrate } from './store/schema/migrate';
export { MIGRATIONS } from './store/schema/migrations';
export { parseOrThrow } from './validation';
export { simulateCadence, type SimulationInput, type SimulatedEvent, type SimulatedReply } from './simulate';
export * from './compose';
export { decideChannel, type ChannelDecision, type ChannelFacts } from './domain/channel';
export type { AgentCount } from './store/ops/dashboard';
export { dueTimeFor, openAt } from './domain/scheduling';
