import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccountLifeService, AdminUsersService } from '@hearth/accounts';
import { MEDIA_STORE, type MediaStore } from '@hearth/media';
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
  private readonly logger = new Logger(ErasureService.name);

  constructor(
    private readonly life: AccountLifeService,
    private readonly admin: AdminUsersService,
    private readonly exports: UserExportsService,
    private readonly erasure: ErasureRepository,
    @Inject(MEDIA_STORE) private readonly media: MediaStore,
  ) {}

  /** POST /_matrix/client/v3/account/deactivate with `erase: true`. */
  async deactivateAndErase(request: DeactivateRequest): Promise<void> {
    const contentGone: string[] = [];
    await this.life.deactivate(request, (em) => this.eraseIn(request.userId, contentGone, em));
    await this.afterCommit(request.userId, contentGone);
  }

  /** The admin API's deactivate with `erase: true`; also erases an already deactivated account. */
  async eraseByAdmin(userId: string): Promise<void> {
    const contentGone: string[] = [];
    await this.admin.deactivate(userId, (em) => this.eraseIn(userId, contentGone, em));
    await this.afterCommit(userId, contentGone);
  }

  private async eraseIn(userId: string, contentGone: string[], em: EntityManager): Promise<void> {
    await this.exports.assertNoneRunning(userId, em);
    await this.erasure.eraseRows(userId, em);
    contentGone.push(...(await this.erasure.eraseUploads(userId, em)));
    await this.erasure.markErased(userId, Date.now(), em);
  }

  /** Files are not transactional: the bytes of content no row holds any more go once the rows have. */
  private async afterCommit(userId: string, contentGone: readonly string[]): Promise<void> {
    await this.exports.deleteAllOf(userId);
    for (const sha256 of contentGone)
      await this.media
        .delete(sha256)
        .catch((error: unknown) => this.logger.warn(`deleting erased content ${sha256} failed: ${String(error)}`));
  }
}
