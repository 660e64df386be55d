import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { MEDIA_STORE, type MediaStore } from '@hearth/media';
import { RoomEventsService } from '@hearth/rooms';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, roomFileName } from './export-format';
import { JsonLinesFile } from './jsonl-file';
import { UserRowsRepository } from './user-rows.repository';

const PAGE_SIZE = 500;

export interface BuildProgress {
  (roomsDone: number, roomsTotal: number): Promise<void>;
}

/** Writes one user's export as files into a folder, ready to be packed. */
@Injectable()
export class ExportBuilder {
  constructor(
    private readonly rows: UserRowsRepository,
    private readonly roomEvents: RoomEventsService,
    @Inject(MEDIA_STORE) private readonly media: MediaStore,
  ) {}

  async build(userId: string, serverName: string, folder: string, progress: BuildProgress): Promise<void> {
    fs.mkdirSync(path.join(folder, 'rooms'), { recursive: true });
    const files: string[] = [];
    for await (const { file, rows } of this.rows.sections(userId)) {
      await writeSection(path.join(folder, file), file.endsWith('.jsonl') ? rows : (rows[0] ?? null));
      files.push(file);
    }
    const roomIds = await this.rows.roomsOf(userId);
    const rooms: Array<{ room_id: string; file: string; events: number }> = [];
    await progress(0, roomIds.length);
    for (const [index, roomId] of roomIds.entries()) {
      const file = roomFileName(roomId);
      rooms.push({ room_id: roomId, file, events: await this.writeRoom(userId, roomId, path.join(folder, file)) });
      await progress(index + 1, roomIds.length);
    }
    const uploads = await this.writeUploads(userId, folder);
    const manifest = {
      format: EXPORT_FORMAT,
      version: EXPORT_FORMAT_VERSION,
      user_id: userId,
      server_name: serverName,
      created_ts: Date.now(),
      files,
      rooms,
      media: { file: 'uploads.jsonl', folder: 'uploads/', count: uploads },
    };
    fs.writeFileSync(path.join(folder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /**
   * The user's uploads: each file's bytes under `uploads/<media ID>`, streamed from the store, and
   * one line per upload in `uploads.jsonl`. Content gone from the store is listed with `file: null`.
   */
  private async writeUploads(userId: string, folder: string): Promise<number> {
    fs.mkdirSync(path.join(folder, 'uploads'), { recursive: true });
    const out = new JsonLinesFile(path.join(folder, 'uploads.jsonl'));
    const uploads = await this.rows.uploadsOf(userId);
    try {
      for (const upload of uploads) {
        const file = `uploads/${upload.media_id}`;
        const copied = await this.copyContent(upload.sha256, path.join(folder, file));
        await out.write({ ...upload, created_ts: Number(upload.created_ts), file: copied ? file : null });
      }
    } finally {
      await out.close();
    }
    return uploads.length;
  }

  private async copyContent(sha256: string, filePath: string): Promise<boolean> {
    if (!(await this.media.exists(sha256))) return false;
    await pipeline(await this.media.get(sha256), fs.createWriteStream(filePath));
    return true;
  }

  /** The room's events as /messages shows them to the user: history visibility decides. */
  private async writeRoom(userId: string, roomId: string, filePath: string): Promise<number> {
    const out = new JsonLinesFile(filePath);
    let count = 0;
    try {
      let from: string | undefined;
      do {
        const page = await this.roomEvents.messages(
          roomId,
          { userId, deviceId: '' },
          { from, dir: 'f', limit: PAGE_SIZE },
        );
        for (const event of page.chunk) await out.write(event);
        count += page.chunk.length;
        from = page.end;
      } while (from !== undefined);
    } finally {
      await out.close();
    }
    return count;
  }
}

async function writeSection(filePath: string, content: unknown): Promise<void> {
  if (!Array.isArray(content)) {
    fs.writeFileSync(filePath, `${JSON.stringify(content, null, 2)}\n`);
    return;
  }
  const out = new JsonLinesFile(filePath);
  for (const row of content) await out.write(row);
  await out.close();
}
