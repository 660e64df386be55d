import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { childrenToFollow, RoomSummaries, viaOf, type RoomSummary } from '@hearth/rooms';
import { decodeHierarchyToken, encodeHierarchyToken } from './hierarchy-token';
import { RemoteHierarchyClient } from './remote-hierarchy.client';

export const MAX_HIERARCHY_LIMIT = 100;
export const MAX_HIERARCHY_DEPTH = 50;
/** No walk visits more rooms than this, whatever the tree or the token: the cost of one request is bounded. */
export const MAX_ROOMS_WALKED = 1_000;

export interface HierarchyRequest {
  readonly userId: string;
  readonly roomId: string;
  readonly limit: number;
  readonly maxDepth: number;
  readonly suggestedOnly: boolean;
  readonly from?: string;
}

interface QueuedRoom {
  readonly roomId: string;
  readonly via: readonly string[];
  readonly depth: number;
  /** Our summary, read with its siblings; absent when we are not in the room. */
  readonly local?: RoomSummary;
  /** The summary the parent's server gave, when the parent was another server's. */
  readonly fromParent?: RoomSummary;
}

interface VisitedRoom {
  readonly summary: RoomSummary;
  /** Children the room's server said the asker may not see. */
  readonly inaccessible: ReadonlySet<string>;
  readonly childSummaries: ReadonlyMap<string, RoomSummary>;
}

/**
 * Spec CS API `GET /rooms/{roomId}/hierarchy`: a depth-first walk of the space tree, each room's
 * children in the spec's order, rooms we are in from our own state and others from the servers
 * their `via` names (SS API `GET /hierarchy`), as Synapse does. A room is shown, and walked into,
 * only when the user may see it; a room already visited is not visited again, so loops end.
 */
@Injectable()
export class SpaceHierarchyService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly summaries: RoomSummaries,
    private readonly remote: RemoteHierarchyClient,
  ) {}

  async walk(request: HierarchyRequest): Promise<{ rooms: RoomSummary[]; next_batch?: string }> {
    const skip = request.from === undefined ? 0 : decodeHierarchyToken(request.from, request, MAX_ROOMS_WALKED);
    const root = await this.summaries.local(request.roomId);
    if (!root || !(await this.summaries.userMayPreview(request.userId, root)))
      throw MatrixError.forbidden('You are not allowed to see this room');

    const rooms: RoomSummary[] = [];
    const visited = new Set<string>();
    const queue: QueuedRoom[] = [{ roomId: request.roomId, via: [], depth: 0 }];
    let shown = 0;
    while (queue.length > 0 && rooms.length < request.limit && visited.size < MAX_ROOMS_WALKED) {
      const next = queue.shift() as QueuedRoom;
      if (visited.has(next.roomId)) continue;
      visited.add(next.roomId);
      const room = next.roomId === request.roomId ? ownVisit(root) : await this.visit(next, request);
      if (!room) continue;
      if (shown++ >= skip) rooms.push(room.summary);
      if (next.depth >= request.maxDepth) continue;
      const children = childrenToFollow(room.summary.children_state, request.suggestedOnly).filter(
        (child) => !visited.has(child.state_key) && !room.inaccessible.has(child.state_key),
      );
      const ours = await this.summaries.localMany(children.map((child) => child.state_key));
      queue.unshift(
        ...children.map((child) => ({
          roomId: child.state_key,
          via: viaOf(child),
          depth: next.depth + 1,
          local: ours.get(child.state_key),
          fromParent: room.childSummaries.get(child.state_key),
        })),
      );
    }
    const more = queue.some((entry) => !visited.has(entry.roomId)) && visited.size < MAX_ROOMS_WALKED;
    return {
      rooms,
      ...(more && rooms.length === request.limit
        ? { next_batch: encodeHierarchyToken({ ...request, skip: shown }) }
        : {}),
    };
  }

  /** A room below the root: ours if we are in it, otherwise as its servers describe it; undefined if hidden. */
  private async visit(entry: QueuedRoom, request: HierarchyRequest): Promise<VisitedRoom | undefined> {
    const local = entry.local;
    if (local) {
      return (await this.summaries.userMayPreview(request.userId, local)) ? ownVisit(local) : undefined;
    }
    // A child that is no space, or one we will not walk into, needs no request of its own.
    const known = entry.fromParent;
    if (known && (known.room_type !== 'm.space' || entry.depth >= request.maxDepth)) {
      return (await this.summaries.userMayPreview(request.userId, known))
        ? { summary: { ...known, children_state: [] }, inaccessible: new Set(), childSummaries: new Map() }
        : undefined;
    }
    const answer = await this.remote.fetch(entry.roomId, entry.via, request.suggestedOnly);
    if (!answer || !(await this.summaries.userMayPreview(request.userId, answer.room))) return undefined;
    return {
      summary: answer.room,
      inaccessible: new Set(answer.inaccessible_children),
      childSummaries: new Map(answer.children.map((child) => [child.room_id, child])),
    };
  }
}

/** A room whose summary we have ourselves: the space asked for, or a room we are in. */
function ownVisit(summary: RoomSummary): VisitedRoom {
  return { summary, inaccessible: new Set(), childSummaries: new Map() };
}
