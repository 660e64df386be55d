import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ProfileEntity } from './profile.entity';

@Injectable()
export class ProfileRepository {
  constructor(private readonly dataSource: DataSource) {}

  private manager(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  /** New accounts start with their handle as display name, as other servers do. */
  async create(userId: string, displayname: string, em: EntityManager): Promise<void> {
    await em.insert(ProfileEntity, { userId, displayname, avatarUrl: null });
  }

  find(userId: string, em?: EntityManager): Promise<ProfileEntity | null> {
    return this.manager(em).findOneBy(ProfileEntity, { userId });
  }

  async update(
    userId: string,
    changes: Partial<Pick<ProfileEntity, 'displayname' | 'avatarUrl'>>,
    em?: EntityManager,
  ): Promise<void> {
    await this.manager(em).update(ProfileEntity, { userId }, changes);
  }
}
