import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintMillis } from '../bigint-millis';

@Entity('refresh_tokens')
export class RefreshTokenEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: bigintMillis })
  id!: number;

  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash!: Buffer;

  @Column({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ name: 'device_id', type: 'text' })
  deviceId!: string;

  /** The pair issued when this token was last used; this token dies once that pair is used. */
  @Column({ name: 'next_refresh_token_id', type: 'bigint', nullable: true, transformer: bigintMillis })
  nextRefreshTokenId!: number | null;

  @Column({ name: 'created_ts', type: 'bigint', transformer: bigintMillis })
  createdTs!: number;

  @Column({ name: 'expires_ts', type: 'bigint', nullable: true, transformer: bigintMillis })
  expiresTs!: number | null;
}
