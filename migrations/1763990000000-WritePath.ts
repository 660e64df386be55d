import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Rows written in the same transaction as the event they belong to, by the event writers only. */
const EVENT_CHILD_KEYS = [
  ['event_edges', 'event_edges_event_id_fkey'],
  ['event_auth_edges', 'event_auth_edges_event_id_fkey'],
  ['event_txns', 'event_txns_event_id_fkey'],
  ['event_relations', 'event_relations_event_id_fkey'],
  ['event_push_actions', 'event_push_actions_event_id_fkey'],
  ['room_forward_extremities', 'room_forward_extremities_event_id_fkey'],
  ['room_forward_extremities', 'room_forward_extremities_room_id_fkey'],
] as const;

/**
 * What every event write pays for, cut down (docs/rooms.md, "Measured"):
 * - a room's joined members, read under the room's lock by every write and by sync, get an
 *   index of their own; PostgreSQL otherwise walked the members of every room;
 * - the foreign keys from rows that are inserted with their event, in the same transaction
 *   (edges, client transactions, relations, notifications, extremities) go: each was a lookup
 *   per row, 15 of them for a message in a room of 16, guarding against nothing those writes
 *   can get wrong;
 * - notifications keep one index, which is also their key: the unread counts read them by
 *   user, room, thread and position, and nothing reads them by event.
 */
export class WritePath1763990000000 implements MigrationInterface {
  name = 'WritePath1763990000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "CREATE INDEX current_state_joined ON current_state (room_id, state_key) WHERE type = 'm.room.member' AND membership = 'join'",
    );
    for (const [table, key] of EVENT_CHILD_KEYS) await queryRunner.query(`ALTER TABLE ${table} DROP CONSTRAINT ${key}`);
    await queryRunner.query('ALTER TABLE event_push_actions DROP CONSTRAINT event_push_actions_pkey');
    await queryRunner.query('DROP INDEX event_push_actions_unread');
    await queryRunner.query(
      'ALTER TABLE event_push_actions ADD PRIMARY KEY (user_id, room_id, thread_id, stream_ordering)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE event_push_actions DROP CONSTRAINT event_push_actions_pkey');
    await queryRunner.query(
      'CREATE INDEX event_push_actions_unread ON event_push_actions (user_id, room_id, thread_id, stream_ordering)',
    );
    await queryRunner.query('ALTER TABLE event_push_actions ADD PRIMARY KEY (user_id, event_id)');
    for (const [table, key] of EVENT_CHILD_KEYS) {
      const column = key.endsWith('room_id_fkey') ? 'room_id' : 'event_id';
      const target = column === 'room_id' ? 'rooms (room_id)' : 'events (event_id)';
      await queryRunner.query(
        `ALTER TABLE ${table} ADD CONSTRAINT ${key} FOREIGN KEY (${column}) REFERENCES ${target}`,
      );
    }
    await queryRunner.query('DROP INDEX current_state_joined');
  }
}
