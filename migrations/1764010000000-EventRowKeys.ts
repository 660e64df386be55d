import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Keys checked on every event row: its room and the state groups before and after it. */
const EVENT_ROW_KEYS = [
  ['events', 'events_room_id_fkey', 'room_id', 'rooms (room_id)'],
  ['events', 'events_state_group_before_fkey', 'state_group_before', 'state_groups (id)'],
  ['events', 'events_state_group_after_fkey', 'state_group_after', 'state_groups (id)'],
] as const;

/**
 * WritePath's reasoning, for the event rows themselves: an event is written under its room's
 * row lock (so the room exists) after its state groups were written, and rooms and state groups
 * are never deleted. Each key was a lookup through a trigger per row, three per message.
 * Current state keeps its keys: federation rewrites it from resolved state, apart from events.
 */
export class EventRowKeys1764010000000 implements MigrationInterface {
  name = 'EventRowKeys1764010000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, key] of EVENT_ROW_KEYS) await queryRunner.query(`ALTER TABLE ${table} DROP CONSTRAINT ${key}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, key, column, target] of EVENT_ROW_KEYS)
      await queryRunner.query(
        `ALTER TABLE ${table} ADD CONSTRAINT ${key} FOREIGN KEY (${column}) REFERENCES ${target}`,
      );
  }
}
