import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintMillis } from '../bigint-millis';

/** Shaped like Synapse's admin API so that existing admin tools read it unchanged. */
@Entity('registration_tokens')
export class RegistrationTokenEntity {
  @PrimaryColumn({ type: 'text' })
  token!: string;

  /** null: unlimited. */
  @Column({ name: 'uses_allowed', type: 'integer', nullable: true })
  usesAllowed!: number | null;

  /** UIA sessions that passed the token stage but have not registered yet. */
  @Column({ type: 'integer', default: 0 })
  pending!: number;

  @Column({ type: 'integer', default: 0 })
  completed!: number;

  @Column({ name: 'expiry_time', type: 'bigint', nullable: true, transformer: bigintMillis })
  expiryTime!: number | null;

  @Column({ name: 'created_ts', type: 'bigint', transformer: bigintMillis })
  createdTs!: number;
}
