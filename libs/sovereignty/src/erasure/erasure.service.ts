import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccountLifeService, AdminUsersService } from '@hearth/accounts';
import { UserExportsService } from '../export/user-exports.service';
import { ErasureRepository } from './erasure.repository';

type DeactivateRequest = Parameters<AccountLifeService['deactivate']>[0];

/**
 * Deactivation with `erase: true` (docs/erasure.md): in the deactivation's own transaction the
 * user's data goes and the user is marked erased, from when on the rooms' visibility filters
 * serve their events pruned; a pending or running export refuses it whole. Archives go after
 * commit (files are not transactional; a leftover one is deleted by the export sweep).
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly life: AccountLifeService,
    private readonly admin: AdminUsersService,
    private readonly exports: UserExportsService,
    private readonly erasure: ErasureRepository,
  ) {}

  /** POST /_matrix/client/v3/account/deactivate with `erase: true`. */
  async deactivateAndErase(request: DeactivateRequest): Promise<void> {
    await this.life.deactivate(request, (em) => this.eraseIn(request.userId, em));
    await this.exports.deleteAllOf(request.userId);
  }

  /** The admin API's deactivate with `erase: true`; also erases an already deactivated account. */
  async eraseByAdmin(userId: string): Promise<void> {
    await this.admin.deactivate(userId, (em) => this.eraseIn(userId, em));
    await this.exports.deleteAllOf(userId);
  }

  private async eraseIn(userId: string, em: EntityManager): Promise<void> {
    await this.exports.assertNoneRunning(userId, em);
    await this.erasure.eraseRows(userId, em);
    await this.erasure.markErased(userId, Date.now(), em);
  }
}
