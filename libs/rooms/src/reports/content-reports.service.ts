import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';
import { EventRepository } from '../storage/event.repository';
import { RoomRepository } from '../storage/room.repository';
import { StateRepository } from '../storage/state.repository';
import { EventReportRepository } from './event-report.repository';

export interface ReportBody {
  readonly reason?: string;
  /** Dropped from the spec in v1.18; older clients still send it (-100 most offensive, 0 inoffensive). */
  readonly score?: number;
}

/**
 * Spec CS API "Reporting content": a member reports an event of their room, anyone a room this
 * server knows; both are kept for the server's admins. Unknown events, events of other rooms and
 * rooms the reporter is not in answer alike (404), so a report tells nothing the reporter could
 * not see.
 */
@Injectable()
export class ContentReportsService {
  constructor(
    private readonly reports: EventReportRepository,
    private readonly events: EventRepository,
    private readonly rooms: RoomRepository,
    private readonly state: StateRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async reportEvent(userId: string, roomId: string, eventId: string, body: ReportBody): Promise<void> {
    await this.tx.run(async (em) => {
      const joined = (await this.state.membership(roomId, userId, em)) === 'join';
      const stored = joined ? await this.events.find(eventId, em) : undefined;
      if (!stored || stored.event.room_id !== roomId)
        throw MatrixError.notFound('The event was not found or you are not joined to its room');
      await this.reports.insert({ roomId, eventId, userId, ...body, receivedTs: Date.now() }, em);
    });
  }

  async reportRoom(userId: string, roomId: string, reason: string): Promise<void> {
    await this.tx.run(async (em) => {
      if (!(await this.rooms.find(roomId, em))) throw MatrixError.notFound('The room was not found');
      await this.reports.insert({ roomId, userId, reason, receivedTs: Date.now() }, em);
    });
  }
}
