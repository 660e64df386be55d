import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintMillis } from '../bigint-millis';

@Entity('devices')
export class DeviceEntity {
  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId!: string;

  @PrimaryColumn({ name: 'device_id', type: 'text' })
  deviceId!: string;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  @Column({ name: 'created_ts', type: 'bigint', transformer: bigintMillis })
  createdTs!: number;

  /** Coarse (per login and refresh); no address or user agent is ever kept beside it. */
  @Column({ name: 'last_seen_ts', type: 'bigint', nullable: true, transformer: bigintMillis })
  lastSeenTs!: number | null;
}
