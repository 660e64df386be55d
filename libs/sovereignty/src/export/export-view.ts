import type { UserExport } from './user-export.repository';

/** The JSON a client sees for one export (docs/export.md). */
export function toExportView(item: UserExport) {
  return {
    export_id: item.exportId,
    state: item.state,
    progress: { rooms_done: item.roomsDone, rooms_total: item.roomsTotal },
    created_ts: item.createdTs,
    ...(item.finishedTs === null ? {} : { finished_ts: item.finishedTs }),
    ...(item.expiresTs === null ? {} : { expires_ts: item.expiresTs }),
    ...(item.sizeBytes === null ? {} : { size_bytes: item.sizeBytes }),
  };
}

export type ExportView = ReturnType<typeof toExportView>;
