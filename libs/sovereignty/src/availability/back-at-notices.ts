import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotificationFeed, RoomEventsService, type CommittedNotification } from '@hearth/rooms';
import { ChangeBus, TransactionRunner } from '@hearth/storage';
import type { AvailabilitySchedule } from './availability-schedule';
import { backOnDutyAt, localWeekdayAndTime } from './back-on-duty';
import { BackAtNoticesRepository } from './back-at-notices.repository';
import { CLOCK, type Clock } from './clock';
import { EffectiveAvailability } from './effective-availability';
import { isOnDuty } from './on-duty';

const POSITIONS_PER_ROUND = 500;
/** The notices' transactions are recorded under this device name; the user has no such device. */
const NOTICE_DEVICE = 'org.hearth.availability';

interface Candidate {
  readonly notification: CommittedNotification;
  readonly schedule: AvailabilitySchedule;
  readonly backTs: number;
}

interface Notice {
  readonly userId: string;
  readonly roomId: string;
  readonly sender: string;
  readonly backTs: number;
  readonly body: string;
  readonly timeZone: string;
}

/**
 * The automatic "back at" notice (docs/availability.md): while a user who turned on `auto_reply`
 * is off duty, the first message each sender sends them in a direct chat in that off period is
 * answered with one `m.notice` from their account, through the ordinary send path. It hears the
 * change bus and reads the notifications committed since (a message that does not notify, e.g.
 * in a muted room, gets no notice). Which notices went out is recorded, so several processes, or
 * several messages, never send a second one for the same sender and period.
 */
@Injectable()
export class BackAtNotices implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BackAtNotices.name);
  private position = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly notifications: NotificationFeed,
    private readonly notices: BackAtNoticesRepository,
    private readonly availability: EffectiveAvailability,
    private readonly roomEvents: RoomEventsService,
    private readonly tx: TransactionRunner,
    private readonly bus: ChangeBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Messages from before this process started are not answered: they are not news to whoever sent them. */
  async onApplicationBootstrap(): Promise<void> {
    this.position = await this.tx.read((em) => this.notices.eventsHead(em));
    this.unsubscribe = this.bus.subscribe(['events'], BackAtNotices.name, () => this.poke(), { background: true });
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await this.running;
  }

  poke(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain()
      .catch((error: unknown) => this.logger.error(`sending back-at notices failed: ${String(error)}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          void this.poke();
        }
      });
    return this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const { candidates, upTo, more } = await this.tx.read((em) => this.readRound(em));
      const notices = candidates.length > 0 ? await this.tx.run((em) => this.claim(candidates, em)) : [];
      this.position = upTo;
      for (const notice of notices) await this.send(notice);
      if (!more) return;
    }
  }

  /**
   * One round of notifications, narrowed to those whose user is off duty with `auto_reply` on: for
   * most messages that is none, found in three reads and no transaction.
   */
  private async readRound(em: EntityManager) {
    const now = this.clock.now();
    const { notifications, upTo, more } = await this.notifications.since(this.position, POSITIONS_PER_ROUND, em);
    const users = [...new Set(notifications.map((n) => n.userId))];
    const schedules = await this.availability.schedulesOf(users, em);
    const candidates = notifications.flatMap((notification) => {
      const schedule = schedules.get(notification.userId);
      if (!schedule?.auto_reply || isOnDuty(schedule, now)) return [];
      const backTs = backOnDutyAt(schedule, now);
      return backTs === undefined ? [] : [{ notification, schedule, backTs }];
    });
    return { candidates, upTo, more };
  }

  /** Claims the notices the candidates call for; sending happens after commit. */
  private async claim(candidates: readonly Candidate[], em: EntityManager): Promise<Notice[]> {
    const notices: Notice[] = [];
    for (const candidate of candidates) {
      const notice = await this.noticeFor(candidate, em);
      if (notice && (await this.notices.claim(notice.userId, notice.sender, notice.backTs, em))) notices.push(notice);
    }
    return notices;
  }

  private async noticeFor({ notification, schedule, backTs }: Candidate, em: EntityManager) {
    const { userId, roomId, eventId } = notification;
    const message = await this.notices.directMessage(userId, roomId, eventId, em);
    if (!message) return undefined;
    const name = message.displayname ?? userId;
    const back = localWeekdayAndTime(schedule.time_zone, backTs);
    return {
      userId,
      roomId,
      sender: message.sender,
      backTs,
      timeZone: schedule.time_zone,
      body: `${name} is off duty until ${back} (${schedule.time_zone})`,
    };
  }

  private async send(notice: Notice): Promise<void> {
    try {
      await this.roomEvents.sendWithTxn(
        notice.roomId,
        { userId: notice.userId, deviceId: NOTICE_DEVICE },
        `back-at-${notice.backTs}-${notice.sender}`,
        {
          type: 'm.room.message',
          content: {
            msgtype: 'm.notice',
            body: notice.body,
            'org.hearth.back_at': { until: notice.backTs, time_zone: notice.timeZone },
          },
        },
      );
    } catch (error) {
      this.logger.warn(`the back-at notice of ${notice.userId} in ${notice.roomId} was not sent: ${String(error)}`);
    }
  }
}
