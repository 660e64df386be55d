import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';
import type { ConnectionState, SentRoom, StickyParams } from './connection-state';

interface PositionRow {
  connection_id: string;
  user_id: string;
  device_id: string;
  conn_id: string;
  stream_token: string;
  sticky_params: StickyParams;
  rooms: Record<string, SentRoom>;
}

/** Sliding sync connections and their positions (migration SlidingSyncConnections). */
@Injectable()
export class ConnectionRepository {
  /** The connection's id, created on first use. */
  async connectionId(userId: string, deviceId: string, connId: string, em: EntityManager): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      em,
      `INSERT INTO sliding_sync_connections (user_id, device_id, conn_id, created_ts) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, device_id, conn_id) DO UPDATE SET conn_id = EXCLUDED.conn_id
       RETURNING id`,
      [userId, deviceId, connId, Date.now()],
    );
    return Number(rows[0]?.id);
  }

  /** The state at a position, if it belongs to this device's connection and is still kept. */
  async position(
    positionId: number,
    owner: { userId: string; deviceId: string; connId: string },
    em: EntityManager,
  ): Promise<ConnectionState | undefined> {
    const rows = await queryRows<PositionRow>(
      em,
      `SELECT p.connection_id, c.user_id, c.device_id, c.conn_id, p.stream_token, p.sticky_params, p.rooms
         FROM sliding_sync_positions p JOIN sliding_sync_connections c ON c.id = p.connection_id
        WHERE p.id = $1`,
      [positionId],
    );
    const row = rows[0];
    if (!row || row.user_id !== owner.userId || row.device_id !== owner.deviceId || row.conn_id !== owner.connId)
      return undefined;
    return {
      connectionId: Number(row.connection_id),
      token: row.stream_token,
      sticky: row.sticky_params,
      rooms: row.rooms,
    };
  }

  async savePosition(state: ConnectionState, em: EntityManager): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      em,
      `INSERT INTO sliding_sync_positions (connection_id, stream_token, sticky_params, rooms, created_ts)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [state.connectionId, state.token, JSON.stringify(state.sticky), JSON.stringify(state.rooms), Date.now()],
    );
    return Number(rows[0]?.id);
  }

  /** Once a request uses a `pos`, the positions before it are never needed again. */
  async dropBefore(connectionId: number, positionId: number, em: EntityManager): Promise<void> {
    await em.query('DELETE FROM sliding_sync_positions WHERE connection_id = $1 AND id < $2', [
      connectionId,
      positionId,
    ]);
  }

  /** A request without `pos` starts the connection over. */
  async dropAll(connectionId: number, em: EntityManager): Promise<void> {
    await em.query('DELETE FROM sliding_sync_positions WHERE connection_id = $1', [connectionId]);
  }
}
