import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { DeviceEntity } from './device.entity';
import { AccessTokenCache } from '../tokens/access-token-cache';

@Injectable()
export class DeviceRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: AccessTokenCache,
  ) {}

  private manager(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  find(userId: string, deviceId: string, em?: EntityManager): Promise<DeviceEntity | null> {
    return this.manager(em).findOneBy(DeviceEntity, { userId, deviceId });
  }

  listForUser(userId: string, em?: EntityManager): Promise<DeviceEntity[]> {
    return this.manager(em).find(DeviceEntity, { where: { userId }, order: { deviceId: 'ASC' } });
  }

  /** A login naming an existing device reuses it (its old tokens are revoked by the caller). */
  async upsert(device: DeviceEntity, em: EntityManager): Promise<void> {
    await em
      .createQueryBuilder()
      .insert()
      .into(DeviceEntity)
      .values(device)
      .orUpdate(['last_seen_ts'], ['user_id', 'device_id'])
      .execute();
  }

  async setDisplayName(
    userId: string,
    deviceId: string,
    displayName: string | null,
    em?: EntityManager,
  ): Promise<boolean> {
    const result = await this.manager(em).update(DeviceEntity, { userId, deviceId }, { displayName });
    return (result.affected ?? 0) > 0;
  }

  async touch(userId: string, deviceId: string, now: number, em?: EntityManager): Promise<void> {
    await this.manager(em).update(DeviceEntity, { userId, deviceId }, { lastSeenTs: now });
  }

  /** Tokens go with their device (ON DELETE CASCADE). Returns the IDs actually deleted. */
  async delete(userId: string, deviceIds: readonly string[], em: EntityManager): Promise<string[]> {
    if (deviceIds.length === 0) return [];
    const existing = await em.find(DeviceEntity, { where: { userId, deviceId: In([...deviceIds]) } });
    if (existing.length > 0) await em.delete(DeviceEntity, { userId, deviceId: In(existing.map((d) => d.deviceId)) });
    this.cache.forgetWhenCommitted(em, { userId });
    return existing.map((d) => d.deviceId);
  }

  async deleteAllForUser(userId: string, em: EntityManager, exceptDeviceId?: string): Promise<void> {
    const qb = em.createQueryBuilder().delete().from(DeviceEntity).where('user_id = :userId', { userId });
    if (exceptDeviceId) qb.andWhere('device_id <> :exceptDeviceId', { exceptDeviceId });
    await qb.execute();
    this.cache.forgetWhenCommitted(em, { userId });
  }
}
