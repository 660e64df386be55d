import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MatrixError } from '@hearth/http';
import { getRoomVersion, type JsonObject } from '@hearth/protocol';
import { queryRows, TransactionRunner } from '@hearth/storage';
import { toClientEvent } from '../events/client-event';
import { EventRepository } from '../storage/event.repository';

export interface NotificationsQuery {
  /** A `next_token` from an earlier page. */
  readonly from?: string;
  readonly limit?: number;
  /** Only notifications that highlight (spec: `only=highlight`). */
  readonly onlyHighlight: boolean;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/**
 * Spec CS API `GET /notifications`: the events that notified the user, newest first. Built on the
 * stored notifications (event_push_actions), which a read receipt deletes: so
 * what is listed is what the user has not read, and `read` is always false.
 */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly events: EventRepository,
  ) {}

  async list(userId: string, query: NotificationsQuery): Promise<{ notifications: JsonObject[]; next_token?: string }> {
    const before = parseFrom(query.from);
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
    return this.tx.read(async (em) => {
      const rows = await this.page(userId, before, limit, query.onlyHighlight, em);
      const stored = await this.events.findMany(
        rows.map((row) => row.event_id),
        em,
      );
      const notifications: JsonObject[] = [];
      for (const row of rows) {
        const event = stored.get(row.event_id);
        const version = getRoomVersion(row.room_version);
        if (!event || !version) continue;
        notifications.push({
          actions: row.highlight ? ['notify', { set_tweak: 'highlight', value: true }] : ['notify'],
          event: withoutRoomId(toClientEvent(event, version)),
          read: false,
          room_id: row.room_id,
          ts: event.event.origin_server_ts,
        });
      }
      const last = rows.at(-1);
      return {
        notifications,
        ...(rows.length === limit && last ? { next_token: String(last.stream_ordering) } : {}),
      };
    });
  }

  private page(userId: string, before: number | undefined, limit: number, onlyHighlight: boolean, em: EntityManager) {
    return queryRows<{
      room_id: string;
      event_id: string;
      stream_ordering: string;
      highlight: boolean;
      room_version: string;
    }>(
      em,
      `SELECT a.room_id, a.event_id, a.stream_ordering, a.highlight, r.room_version
         FROM event_push_actions a
         JOIN rooms r ON r.room_id = a.room_id
        WHERE a.user_id = $1 AND ($2::bigint IS NULL OR a.stream_ordering < $2) AND (NOT $3 OR a.highlight)
        ORDER BY a.stream_ordering DESC LIMIT $4`,
      [userId, before ?? null, onlyHighlight, limit],
    );
  }
}

/** Tokens are the stream position of the last notification served; anything else is refused. */
function parseFrom(from: string | undefined): number | undefined {
  if (from === undefined || from === '') return undefined;
  if (!/^\d{1,15}$/.test(from)) throw MatrixError.invalidParam('from is not a token this server gave out');
  return Number(from);
}

/** Spec: the notification's event is a ClientEventWithoutRoomID; the room is beside it. */
function withoutRoomId(event: JsonObject): JsonObject {
  const { room_id: _roomId, ...rest } = event;
  return rest;
}
