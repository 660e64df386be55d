import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Unread counts kept as notifications are written and read (docs/rooms.md, "Notifications"):
 * event_push_summary now holds, per member, room and thread, the count of every notification row
 * left in event_push_actions, not only of rows folded away from a long backlog. A sync reads a
 * count per room instead of counting rows, so folding has no use left: the folded rows go back
 * among the others. Rows a receipt covers are dropped first, as receipts drop them now.
 */
export class UnreadCountsAtWrite1764104000000 implements MigrationInterface {
  name = 'UnreadCountsAtWrite1764104000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'INSERT INTO event_push_actions SELECT * FROM event_push_actions_folded ON CONFLICT DO NOTHING',
    );
    await queryRunner.query('DROP TABLE event_push_actions_folded');
    // A notification's read position is the later of the unthreaded receipt and its thread's own.
    await queryRunner.query(`
      WITH read AS (
        SELECT user_id, room_id, thread_id, max(stream_ordering) AS position FROM receipts
         WHERE receipt_type IN ('m.read', 'm.read.private') GROUP BY user_id, room_id, thread_id)
      DELETE FROM event_push_actions a
       WHERE a.stream_ordering <= GREATEST(
               COALESCE((SELECT position FROM read r WHERE r.user_id = a.user_id AND r.room_id = a.room_id
                            AND r.thread_id = ''), 0),
               COALESCE((SELECT position FROM read r WHERE r.user_id = a.user_id AND r.room_id = a.room_id
                            AND r.thread_id = CASE WHEN a.thread_id = '' THEN 'main' ELSE a.thread_id END), 0))`);
    await queryRunner.query('DELETE FROM event_push_summary');
    await queryRunner.query(`
      INSERT INTO event_push_summary (user_id, room_id, thread_id, notifications, highlights)
      SELECT user_id, room_id, thread_id, count(*), count(*) FILTER (WHERE highlight)
        FROM event_push_actions GROUP BY user_id, room_id, thread_id`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE event_push_actions_folded (
        user_id         TEXT    NOT NULL,
        room_id         TEXT    NOT NULL,
        event_id        TEXT    NOT NULL,
        stream_ordering BIGINT  NOT NULL,
        thread_id       TEXT    NOT NULL,
        highlight       BOOLEAN NOT NULL,
        PRIMARY KEY (user_id, room_id, thread_id, stream_ordering)
      )`);
    // Nothing is folded: the summary counted folded rows only.
    await queryRunner.query('DELETE FROM event_push_summary');
  }
}
