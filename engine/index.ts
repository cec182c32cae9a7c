/**
 * The cadence engine: no n8n imports, usable and testable on its own. Nodes import it from here,
 * or from the entry points of engine/ai, engine/classify, engine/compose and engine/timing; the
 * lint config enforces both directions of the boundary (eslint.config.mjs).
 */
export * from './cadence/definition';
export { contentHash } from './cadence/content-hash';
export * from './errors';
export * from './timing';
export * from './store/types';
export * from './store/inputs';
export * from './store/channel-inputs';
export type { ConversationState } from './store/ops/conversations';
export type { DeliveryResult, FailureOutcome } from './store/ops/delivery';
export type { IdleEnrollment, IdleScan } from './store/ops/inactivity';
export type { StoredChannelFacts } from './store/ops/channel-facts';
export { CadenceStore, type Store } from './store/store';
export { openStore, type StoreConfig } from './store/open';
export {
	defaultSqlitePath,
	leaseStore,
	openVerified,
	type StoreLease,
} from './store/shared-stores';
export { migrate } from './store/schema/migrate';
export { MIGRATIONS } from './store/schema/migrations';
export type { AgentCount } from './store/ops/dashboard';
export type { FeedEvent } from './store/ops/event-feed';
export type { StuckStep } from './store/ops/in-flight';
export { parseOrThrow, toProblems } from './validation';
export {
	simulateCadence,
	type SimulationInput,
	type SimulatedEvent,
	type SimulatedReply,
} from './simulate';
export * from './compose';
export * from './domain/channel';
export * from './domain/channels';
export * from './cadence/channel-settings';
export * from './domain/exit-rules';
export * from './domain/enrollment-state';
export { parseIdempotencyKey } from './domain/idempotency-key';
export { dueTimeFor, openAt } from './domain/scheduling';
export { InstalledPackage } from './package-files';
export { settleWithin } from './settle-within';
