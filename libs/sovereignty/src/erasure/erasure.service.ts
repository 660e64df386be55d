import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccountLifeService, AdminUsersService } from '@hearth/accounts';
import { MEDIA_STORE, type MediaStore } from '@hearth/media';
import { NotificationCounts, RoomDeparture } from '@hearth/rooms';
import { TransactionRunner } from '@hearth/storage';
import { UserExportsService } from '../export/user-exports.service';
import { ErasureRepository } from './erasure.repository';

type DeactivateRequest = Parameters<AccountLifeService['deactivate']>[0];

/** Notifications deleted per transaction: sends that notify the user wait for each batch. */
const NOTIFICATION_BATCH = 1000;
/** Ten million notifications; nobody gains new ones once out of every room. */
const MAX_NOTIFICATION_BATCHES = 10_000;

/**
 * Deactivation with `erase: true` (docs/erasure.md): in the deactivation's own transaction the
 * user's data goes and the user is marked erased, from when on the rooms' visibility filters
 * serve their events pruned; a pending or running export refuses it whole. Archives go after
 * commit (files are not transactional; a leftover one is deleted by the export sweep), then the
 * account leaves its rooms, then the rest of its notifications go, a batch a transaction (the
 * first batch goes with the deactivation).
 */
@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);

  constructor(
    private readonly life: AccountLifeService,
    private readonly admin: AdminUsersService,
    private readonly exports: UserExportsService,
    private readonly erasure: ErasureRepository,
    private readonly counts: NotificationCounts,
    private readonly departure: RoomDeparture,
    private readonly tx: TransactionRunner,
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
    // Their counts first: every writer of them locks them before anything else (NotificationCounts).
    await this.counts.forgetSomeOf(userId, NOTIFICATION_BATCH, em);
    await this.erasure.eraseRows(userId, em);
    contentGone.push(...(await this.erasure.eraseUploads(userId, em)));
    await this.erasure.markErased(userId, Date.now(), em);
  }

  /**
   * Files are not transactional: the bytes of content no row holds any more go once the rows have.
   * Then the rooms: once out of them the account gains no notifications, and those it has go.
   */
  private async afterCommit(userId: string, contentGone: readonly string[]): Promise<void> {
    await this.exports.deleteAllOf(userId);
    for (const sha256 of contentGone)
      await this.media
        .delete(sha256)
        .catch((error: unknown) => this.logger.warn(`deleting erased content ${sha256} failed: ${String(error)}`));
    await this.departure.leaveEverything(userId);
    await this.forgetNotifications(userId);
  }

  private async forgetNotifications(userId: string): Promise<void> {
    for (let batch = 0; batch < MAX_NOTIFICATION_BATCHES; batch++) {
      const gone = await this.tx.run((em) => this.counts.forgetSomeOf(userId, NOTIFICATION_BATCH, em));
      if (gone < NOTIFICATION_BATCH) return;
    }
  }
}
