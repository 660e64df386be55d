import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintMillis } from '../bigint-millis';

@Entity('users')
export class UserEntity {
  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ type: 'text' })
  localpart!: string;

  /** argon2id PHC string; null for accounts that only log in through the identity provider. */
  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  @Column({ name: 'is_admin', type: 'boolean', default: false })
  isAdmin!: boolean;

  @Column({ name: 'created_ts', type: 'bigint', transformer: bigintMillis })
  createdTs!: number;

  @Column({ name: 'deactivated_ts', type: 'bigint', nullable: true, transformer: bigintMillis })
  deactivatedTs!: number | null;
}
