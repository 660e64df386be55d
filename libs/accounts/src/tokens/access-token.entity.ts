import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintMillis } from '../bigint-millis';

@Entity('access_tokens')
export class AccessTokenEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: bigintMillis })
  id!: number;

  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash!: Buffer;

  @Column({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ name: 'device_id', type: 'text' })
  deviceId!: string;

  @Column({ name: 'created_ts', type: 'bigint', transformer: bigintMillis })
  createdTs!: number;

  @Column({ name: 'expires_ts', type: 'bigint', nullable: true, transformer: bigintMillis })
  expiresTs!: number | null;

  @Column({ name: 'refresh_token_id', type: 'bigint', nullable: true, transformer: bigintMillis })
  refreshTokenId!: number | null;

  /** Set on first use; that use retires the refresh token this pair replaced. */
  @Column({ type: 'boolean', default: false })
  used!: boolean;
}
