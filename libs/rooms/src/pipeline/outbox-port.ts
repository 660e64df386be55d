import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';

/**
 * Port: where the EventPipeline records new events for other servers (delivery's outbox), in the
 * transaction that commits them. Bound in the app module.
 */
export const OUTBOX_PORT = Symbol('OUTBOX_PORT');

export interface OutboxPort {
  /** PDUs for their destinations, written inside the caller's transaction `em`. */
  recordPdus(
    items: ReadonlyArray<{ pdu: JsonObject; destinations: readonly string[] }>,
    em: EntityManager,
  ): Promise<void>;
}

/** For a composition without federation (the CLI's admin context): nothing is recorded for other servers. */
export const NO_FEDERATION_OUTBOX: OutboxPort = { recordPdus: () => Promise.resolve() };
