import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotificationFeed, RoomEventsService, type CommittedNotification } from '@hearth/rooms';
import { ChangeBus, TransactionRunner } from '@hearth/storage';
import { backOnDutyAt, localWeekdayAndTime } from './back-on-duty';
import { BackAtNoticesRepository } from './back-at-notices.repository';
import { CLOCK, type Clock } from './clock';
import { EffectiveAvailability } from './effective-availability';
import { isOnDuty } from './on-duty';

const EVENTS_PER_ROUND = 500;
/** The notices' transactions are recorded under this device name; the user has no such device. */
const NOTICE_DEVICE = 'org.hearth.availability';

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
    this.unsubscribe = this.bus.subscribe(['events'], BackAtNotices.name, () => this.poke());
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
      const { notices, upTo, more } = await this.tx.run((em) => this.claimRound(em));
      this.position = upTo;
      for (const notice of notices) await this.send(notice);
      if (!more) return;
    }
  }

  /** Reads one round of notifications and claims the notices they call for; sending happens after commit. */
  private async claimRound(em: EntityManager): Promise<{ notices: Notice[]; upTo: number; more: boolean }> {
    const now = this.clock.now();
    await this.notices.purgeEnded(now, em);
    const { notifications, upTo, more } = await this.notifications.since(this.position, EVENTS_PER_ROUND, em);
    const notices: Notice[] = [];
    for (const notification of notifications) {
      const notice = await this.noticeFor(notification, now, em);
      if (notice && (await this.notices.claim(notice.userId, notice.sender, notice.backTs, em))) notices.push(notice);
    }
    return { notices, upTo, more };
  }

  private async noticeFor(notification: CommittedNotification, now: number, em: EntityManager) {
    const { userId, roomId, eventId } = notification;
    const schedule = await this.availability.scheduleOf(userId, em);
    if (!schedule?.auto_reply || isOnDuty(schedule, now)) return undefined;
    const backTs = backOnDutyAt(schedule, now);
    if (backTs === undefined) return undefined;
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
