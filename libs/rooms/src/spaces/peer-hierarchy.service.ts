import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { RoomSummaries } from './room-summaries';
import type { RoomSummary } from './room-summary';
import { childrenToFollow } from './space-children';

export interface PeerHierarchy {
  readonly room: RoomSummary;
  readonly children: readonly Omit<RoomSummary, 'children_state'>[];
  readonly inaccessible_children: readonly string[];
}

/**
 * Spec SS API `GET /hierarchy/{roomId}`: the space and those of its children we are in, unpaginated;
 * the asking server filters for its user. Children we are not in are left out (the asker tries
 * their `via` servers); children we are in but the asker may not see are listed as inaccessible.
 */
@Injectable()
export class PeerHierarchyService {
  constructor(private readonly summaries: RoomSummaries) {}

  async answer(roomId: string, origin: string, suggestedOnly: boolean): Promise<PeerHierarchy> {
    const room = await this.summaries.local(roomId);
    if (!room || !(await this.summaries.serverMayPreview(origin, room)))
      throw MatrixError.notFound('Unknown room, or not one your server may see');
    const followed = childrenToFollow(room.children_state, suggestedOnly);
    const children: Omit<RoomSummary, 'children_state'>[] = [];
    const inaccessible: string[] = [];
    const ours = await this.summaries.localMany(followed.map((child) => child.state_key));
    for (const roomIdOfChild of new Set(followed.map((child) => child.state_key))) {
      const child = ours.get(roomIdOfChild);
      if (!child || roomIdOfChild === roomId) continue;
      if (await this.summaries.serverMayPreview(origin, child)) children.push(withoutChildren(child));
      else inaccessible.push(roomIdOfChild);
    }
    return { room: { ...room, children_state: followed }, children, inaccessible_children: inaccessible };
  }
}

function withoutChildren(summary: RoomSummary): Omit<RoomSummary, 'children_state'> {
  const { children_state: _children, ...rest } = summary;
  return rest;
}
