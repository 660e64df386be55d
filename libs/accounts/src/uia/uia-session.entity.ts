import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintMillis } from '../bigint-millis';

@Entity('uia_sessions')
export class UiaSessionEntity {
  @PrimaryColumn({ name: 'session_id', type: 'text' })
  sessionId!: string;

  /** Method and path the session was opened for: it authorises that operation only. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  /** For endpoints behind an access token: whose session this is. */
  @Column({ name: 'user_id', type: 'text', nullable: true })
  userId!: string | null;

  @Column({ type: 'jsonb', default: [] })
  completed!: string[];

  @Column({ type: 'jsonb', default: {} })
  params!: Record<string, unknown>;

  @Column({ name: 'created_ts', type: 'bigint', transformer: bigintMillis })
  createdTs!: number;

  /** The registration token whose stage this session completed (its use is pending). */
  @Column({ name: 'registration_token', type: 'text', nullable: true })
  registrationToken!: string | null;
}
