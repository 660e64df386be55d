import { z } from 'zod';
import { MatrixError } from '@hearth/http';
import { parseRequiredState, type RequiredState } from './required-state';

/** Element X asks for 1 to 20 events; more than this is never needed in one response. */
const MAX_TIMELINE_LIMIT = 100;
const MAX_LISTS = 100;
const MAX_SUBSCRIPTIONS = 1000;

const roomTypes = z.array(z.string().max(255).nullable()).max(100);
const idList = z.array(z.string().max(255)).max(1000);
const tagList = z.array(z.string().max(255)).max(100);

/** Both shapes: the `[[type, state_key], ...]` Synapse and the SDKs send, and MSC4186's newer `{include, exclude, lazy_members}`. */
const RequiredStateSchema = z.union([
  z.array(z.tuple([z.string().max(255), z.string().max(255)])).max(1000),
  z.object({
    include: z
      .array(z.object({ type: z.string().max(255).optional(), state_key: z.string().max(255).optional() }))
      .max(1000)
      .optional(),
    exclude: z
      .array(z.object({ type: z.string().max(255).optional(), state_key: z.string().max(255).optional() }))
      .max(1000)
      .optional(),
    lazy_members: z.boolean().optional(),
  }),
]);

const RoomConfigSchema = z.object({
  timeline_limit: z.number().int().min(0).optional(),
  required_state: RequiredStateSchema.optional(),
});

const range = z.tuple([z.number().int().min(0), z.number().int().min(0)]);

const ListSchema = RoomConfigSchema.extend({
  ranges: z.array(range).max(100).optional(),
  range: range.optional(),
  filters: z
    .object({
      is_dm: z.boolean().optional(),
      is_encrypted: z.boolean().optional(),
      is_invite: z.boolean().optional(),
      is_invited: z.boolean().optional(),
      room_types: roomTypes.optional(),
      not_room_types: roomTypes.optional(),
      spaces: idList.optional(),
      tags: tagList.optional(),
      not_tags: tagList.optional(),
    })
    .optional(),
});

const Scoped = z.object({
  enabled: z.boolean().optional(),
  lists: idList.optional(),
  rooms: idList.optional(),
});

const BodySchema = z.object({
  conn_id: z.string().max(255).optional(),
  pos: z.string().max(64).optional(),
  timeout: z.number().int().min(0).optional(),
  lists: z.record(z.string().max(255), ListSchema).optional(),
  room_subscriptions: z.record(z.string().max(255), RoomConfigSchema).optional(),
  unsubscribe_rooms: idList.optional(),
  extensions: z
    .object({
      to_device: z.object({ enabled: z.boolean().optional(), since: z.string().max(64).optional() }).optional(),
      e2ee: z.object({ enabled: z.boolean().optional() }).optional(),
      account_data: Scoped.optional(),
      receipts: Scoped.optional(),
      typing: Scoped.optional(),
    })
    .optional(),
});

export interface RoomConfig {
  readonly timelineLimit: number;
  readonly requiredState: RequiredState;
}

export interface ListFilters {
  readonly isDm?: boolean;
  readonly isEncrypted?: boolean;
  readonly isInvite?: boolean;
  readonly roomTypes?: ReadonlyArray<string | null>;
  readonly notRoomTypes?: ReadonlyArray<string | null>;
  readonly spaces?: readonly string[];
  /** Rooms with any of these `m.tag` tags. */
  readonly tags?: readonly string[];
  /** Rooms with none of these tags; wins over `tags`. */
  readonly notTags?: readonly string[];
}

export interface ListConfig extends RoomConfig {
  /** Inclusive index ranges into the filtered, ordered list; null takes the whole list. */
  readonly ranges: ReadonlyArray<readonly [number, number]> | null;
  readonly filters: ListFilters;
}

/** An extension that reports on rooms: which lists' and subscriptions' rooms (`*` for all). */
export interface ScopedExtension {
  readonly enabled: boolean;
  readonly lists: readonly string[];
  readonly rooms: readonly string[];
}

export interface ExtensionsConfig {
  readonly toDevice?: { readonly enabled: boolean; readonly since?: string };
  readonly e2ee?: { readonly enabled: boolean };
  readonly accountData?: ScopedExtension;
  readonly receipts?: ScopedExtension;
  readonly typing?: ScopedExtension;
}

export interface SlidingRequest {
  readonly connId: string;
  readonly pos?: string;
  readonly timeoutMs: number;
  readonly lists: ReadonlyMap<string, ListConfig>;
  readonly roomSubscriptions: ReadonlyMap<string, RoomConfig>;
  readonly unsubscribeRooms: readonly string[];
  /** Only the extensions this request names; the connection remembers the others. */
  readonly extensions: ExtensionsConfig;
}

/** The request body (and the `pos`/`timeout` query parameters, which the SDKs send there) as one checked request. */
export function parseSlidingRequest(body: unknown, query: { pos?: string; timeout?: number }): SlidingRequest {
  const parsed = BodySchema.safeParse(body ?? {});
  if (!parsed.success)
    throw MatrixError.badJson(`Invalid sliding sync request: ${parsed.error.issues[0]?.path.join('.') ?? ''}`);
  const request = parsed.data;
  if (Object.keys(request.lists ?? {}).length > MAX_LISTS) throw MatrixError.invalidParam('Too many lists');
  if (Object.keys(request.room_subscriptions ?? {}).length > MAX_SUBSCRIPTIONS)
    throw MatrixError.invalidParam('Too many room subscriptions');
  const pos = query.pos ?? request.pos;
  return {
    connId: request.conn_id ?? '',
    ...(pos !== undefined && pos !== '' ? { pos } : {}),
    timeoutMs: query.timeout ?? request.timeout ?? 0,
    lists: new Map(Object.entries(request.lists ?? {}).map(([name, list]) => [name, listConfig(list)])),
    roomSubscriptions: new Map(
      Object.entries(request.room_subscriptions ?? {}).map(([roomId, config]) => [roomId, roomConfig(config)]),
    ),
    unsubscribeRooms: request.unsubscribe_rooms ?? [],
    extensions: extensionsConfig(request.extensions ?? {}),
  };
}

function roomConfig(config: z.infer<typeof RoomConfigSchema>): RoomConfig {
  return {
    timelineLimit: Math.min(config.timeline_limit ?? 0, MAX_TIMELINE_LIMIT),
    requiredState: parseRequiredState(config.required_state ?? []),
  };
}

function listConfig(list: z.infer<typeof ListSchema>): ListConfig {
  const ranges = list.ranges ?? (list.range ? [list.range] : null);
  for (const [from, to] of ranges ?? []) if (from > to) throw MatrixError.invalidParam('A range starts after its end');
  const filters = list.filters ?? {};
  const isInvite = filters.is_invite ?? filters.is_invited;
  return {
    ...roomConfig(list),
    ranges,
    filters: {
      ...(filters.is_dm !== undefined ? { isDm: filters.is_dm } : {}),
      ...(filters.is_encrypted !== undefined ? { isEncrypted: filters.is_encrypted } : {}),
      ...(isInvite !== undefined ? { isInvite } : {}),
      ...(filters.room_types ? { roomTypes: filters.room_types } : {}),
      ...(filters.not_room_types ? { notRoomTypes: filters.not_room_types } : {}),
      ...(filters.spaces ? { spaces: filters.spaces } : {}),
      ...(filters.tags ? { tags: filters.tags } : {}),
      ...(filters.not_tags ? { notTags: filters.not_tags } : {}),
    },
  };
}

type ExtensionsBody = NonNullable<z.infer<typeof BodySchema>['extensions']>;

function extensionsConfig(body: ExtensionsBody): ExtensionsConfig {
  const scoped = (ext: z.infer<typeof Scoped>): ScopedExtension => ({
    enabled: ext.enabled === true,
    lists: ext.lists ?? ['*'],
    rooms: ext.rooms ?? ['*'],
  });
  return {
    ...(body.to_device
      ? {
          toDevice: {
            enabled: body.to_device.enabled === true,
            ...(body.to_device.since !== undefined ? { since: body.to_device.since } : {}),
          },
        }
      : {}),
    ...(body.e2ee ? { e2ee: { enabled: body.e2ee.enabled === true } } : {}),
    ...(body.account_data ? { accountData: scoped(body.account_data) } : {}),
    ...(body.receipts ? { receipts: scoped(body.receipts) } : {}),
    ...(body.typing ? { typing: scoped(body.typing) } : {}),
  };
}
