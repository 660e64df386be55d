import type { JsonObject } from '@hearth/protocol';
import type { MemberSummary } from '../storage/sync.repository';

/**
 * Spec "Room summary": member counts, and heroes when the room has no name of its own: other
 * joined members, then invited ones, by user ID; anyone else when nobody else is joined or invited.
 */
export function summaryOf(summary: MemberSummary): JsonObject {
  const heroes = summary.others.length > 0 ? summary.others : summary.anyone;
  return {
    ...(summary.named ? {} : { 'm.heroes': [...heroes] }),
    'm.joined_member_count': summary.joined,
    'm.invited_member_count': summary.invited,
  };
}
