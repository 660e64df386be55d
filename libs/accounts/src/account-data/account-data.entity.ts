import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintMillis } from '../bigint-millis';

@Entity('account_data')
export class AccountDataEntity {
  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId!: string;

  /** '' for global account data. */
  @PrimaryColumn({ name: 'room_id', type: 'text' })
  roomId!: string;

  @PrimaryColumn({ type: 'text' })
  type!: string;

  @Column({ type: 'jsonb' })
  content!: Record<string, unknown>;

  /** Position in the account-data stream; /sync reads changes past a token by it. */
  @Column({ name: 'stream_id', type: 'bigint', transformer: bigintMillis })
  streamId!: number;
}
