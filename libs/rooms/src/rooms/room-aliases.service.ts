import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { isValidRoomAlias, parseRoomAlias } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { roomErrors } from '../room-errors';
import { AliasRepository } from '../storage/alias.repository';
import { RoomRepository } from '../storage/room.repository';
import { StateRepository } from '../storage/state.repository';

/** Spec CS API "Room aliases": this server's own aliases (federation's AliasResolver asks other servers about theirs). */
@Injectable()
export class RoomAliasesService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly aliases: AliasRepository,
    private readonly rooms: RoomRepository,
    private readonly state: StateRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async resolve(alias: string): Promise<{ room_id: string; servers: string[] }> {
    this.assertLocal(alias);
    return this.tx.read(async (em) => {
      const found = await this.aliases.find(alias, em);
      if (!found) throw MatrixError.notFound('Room alias not found');
      const others = (await this.state.joinedServers(found.roomId, em)).filter(
        (server) => server !== this.config.serverName,
      );
      return { room_id: found.roomId, servers: [this.config.serverName, ...others.sort()] };
    });
  }

  /** Members of a room may point an alias at it. */
  async create(alias: string, roomId: string, userId: string): Promise<void> {
    this.assertLocal(alias);
    await this.tx.run(async (em) => {
      if (!(await this.rooms.find(roomId, em)) || (await this.state.membership(roomId, userId, em)) !== 'join')
        throw roomErrors.notInRoom();
      if (!(await this.aliases.insert(alias, roomId, userId, Date.now(), em))) {
        throw new MatrixError(409, 'M_UNKNOWN', 'Room alias already exists');
      }
    });
  }

  /** The alias's creator or a server admin may remove it. */
  async delete(alias: string, userId: string, isAdmin: boolean): Promise<void> {
    this.assertLocal(alias);
    await this.tx.run(async (em) => {
      const found = await this.aliases.find(alias, em);
      if (!found) throw MatrixError.notFound('Room alias not found');
      if (found.creator !== userId && !isAdmin) throw MatrixError.forbidden('You did not create this alias');
      await this.aliases.delete(alias, em);
    });
  }

  async forRoom(roomId: string, userId: string): Promise<string[]> {
    return this.tx.run(async (em) => {
      if ((await this.state.membership(roomId, userId, em)) !== 'join') throw roomErrors.notInRoom();
      return this.aliases.forRoom(roomId, em);
    });
  }

  private assertLocal(alias: string): void {
    if (!isValidRoomAlias(alias)) throw MatrixError.invalidParam('Invalid room alias');
    if (parseRoomAlias(alias).serverName !== this.config.serverName)
      throw MatrixError.notFound('Only aliases of this server are kept here');
  }
}
