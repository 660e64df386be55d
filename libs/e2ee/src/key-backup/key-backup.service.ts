import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { MatrixError } from '@hearth/http';
import type { JsonObject } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { KeyBackupRepository, type BackedUpSession, type BackupVersion } from './key-backup.repository';

const VersionBody = z.object({
  algorithm: z.string().min(1).max(255),
  auth_data: z.record(z.string(), z.unknown()),
  version: z.string().optional(),
});
const KeyBackupData = z.object({
  first_message_index: z.number().int().min(0),
  forwarded_count: z.number().int().min(0),
  is_verified: z.boolean(),
  session_data: z.record(z.string(), z.unknown()),
});
const RoomSessions = z.object({ sessions: z.record(z.string().max(255), KeyBackupData) });
const AllRooms = z.object({ rooms: z.record(z.string().max(255), RoomSessions) });

/** Where in a backup a request reads, writes or deletes: all of it, one room, or one session. */
export interface BackupScope {
  readonly roomId?: string;
  readonly sessionId?: string;
}

/**
 * Spec CS API "Server-side key backups": encrypted room keys a user keeps on the server, in
 * versions; only the newest version takes keys. A session key replaces the stored one only if it
 * is better: verified over unverified, then a lower first message index, then fewer forwards.
 */
@Injectable()
export class KeyBackupService {
  constructor(
    private readonly repository: KeyBackupRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async createVersion(userId: string, body: unknown): Promise<{ version: string }> {
    const parsed = VersionBody.safeParse(body);
    if (!parsed.success) throw MatrixError.badJson('Expected algorithm and auth_data');
    const version = await this.tx.run((em) =>
      this.repository.create(userId, parsed.data.algorithm, parsed.data.auth_data as JsonObject, em),
    );
    return { version };
  }

  /** GET /room_keys/version[/{version}]: the newest, or the one named. */
  async version(userId: string, version?: string): Promise<JsonObject> {
    return this.tx.read(async (em) => {
      const found = await this.repository.find(userId, version, em);
      if (!found) throw MatrixError.notFound('No backup version found');
      return {
        version: found.version,
        algorithm: found.algorithm,
        auth_data: found.authData,
        etag: String(found.etag),
        count: await this.repository.count(found.version, em),
      };
    });
  }

  async updateVersion(userId: string, version: string, body: unknown): Promise<void> {
    const parsed = VersionBody.safeParse(body);
    if (!parsed.success) throw MatrixError.badJson('Expected algorithm and auth_data');
    if (parsed.data.version !== undefined && parsed.data.version !== version)
      throw MatrixError.invalidParam('The version in the body does not match the path');
    await this.tx.run(async (em) => {
      const found = await this.repository.find(userId, version, em, true);
      if (!found) throw MatrixError.notFound('No such backup version');
      if (found.algorithm !== parsed.data.algorithm)
        throw MatrixError.invalidParam('The algorithm of a backup version cannot change');
      await this.repository.update(version, parsed.data.auth_data as JsonObject, em);
    });
  }

  async deleteVersion(userId: string, version: string): Promise<void> {
    await this.tx.run(async (em) => {
      if (!(await this.repository.find(userId, version, em, true)))
        throw MatrixError.notFound('No such backup version');
      await this.repository.markDeleted(version, em);
    });
  }

  /** PUT /room_keys/keys[/{roomId}[/{sessionId}]]: only into the newest version. */
  async putKeys(
    userId: string,
    version: string | undefined,
    scope: BackupScope,
    body: unknown,
  ): Promise<{ etag: string; count: number }> {
    const sessions = parseSessions(scope, body);
    return this.tx.run(async (em) => {
      const current = await this.currentVersion(userId, version, em);
      const stored = new Map(
        (await this.repository.sessions(current.version, em, scope.roomId, scope.sessionId)).map((s) => [
          `${s.roomId}\u0000${s.sessionId}`,
          s,
        ]),
      );
      const better = sessions.filter((s) => isBetter(s, stored.get(`${s.roomId}\u0000${s.sessionId}`)));
      await this.repository.put(current.version, better, em);
      if (better.length > 0) await this.repository.bumpEtag(current.version, em);
      return {
        etag: String(current.etag + (better.length > 0 ? 1 : 0)),
        count: await this.repository.count(current.version, em),
      };
    });
  }

  async getKeys(userId: string, version: string | undefined, scope: BackupScope): Promise<JsonObject> {
    return this.tx.read(async (em) => {
      if (version === undefined) throw MatrixError.missingParam('version is required');
      const found = await this.repository.find(userId, version, em);
      if (!found) throw MatrixError.notFound('No such backup version');
      const sessions = await this.repository.sessions(found.version, em, scope.roomId, scope.sessionId);
      if (scope.sessionId !== undefined) {
        const only = sessions[0];
        if (!only) throw MatrixError.notFound('No key for this session');
        return toBackupData(only);
      }
      const rooms: Record<string, { sessions: Record<string, JsonObject> }> = {};
      for (const session of sessions)
        (rooms[session.roomId] ??= { sessions: {} }).sessions[session.sessionId] = toBackupData(session);
      if (scope.roomId !== undefined) return rooms[scope.roomId] ?? { sessions: {} };
      return { rooms };
    });
  }

  async deleteKeys(
    userId: string,
    version: string | undefined,
    scope: BackupScope,
  ): Promise<{ etag: string; count: number }> {
    return this.tx.run(async (em) => {
      if (version === undefined) throw MatrixError.missingParam('version is required');
      const found = await this.repository.find(userId, version, em, true);
      if (!found) throw MatrixError.notFound('No such backup version');
      await this.repository.delete(found.version, em, scope.roomId, scope.sessionId);
      await this.repository.bumpEtag(found.version, em);
      return { etag: String(found.etag + 1), count: await this.repository.count(found.version, em) };
    });
  }

  /** Spec: keys go only into the newest version; any other gets 403 M_WRONG_ROOM_KEYS_VERSION naming it. */
  private async currentVersion(userId: string, version: string | undefined, em: EntityManager): Promise<BackupVersion> {
    if (version === undefined) throw MatrixError.missingParam('version is required');
    const newest = await this.repository.find(userId, undefined, em, true);
    if (!newest) throw MatrixError.notFound('No backup version found');
    if (newest.version !== version)
      throw new MatrixError(403, 'M_WRONG_ROOM_KEYS_VERSION', 'Keys go into the newest backup version', {
        current_version: newest.version,
      });
    return newest;
  }
}

function parseSessions(scope: BackupScope, body: unknown): BackedUpSession[] {
  const invalid = () => MatrixError.badJson('Expected key backup data');
  if (scope.roomId !== undefined && scope.sessionId !== undefined) {
    const parsed = KeyBackupData.safeParse(body);
    if (!parsed.success) throw invalid();
    return [toSession(scope.roomId, scope.sessionId, parsed.data)];
  }
  if (scope.roomId !== undefined) {
    const parsed = RoomSessions.safeParse(body);
    if (!parsed.success) throw invalid();
    return Object.entries(parsed.data.sessions).map(([sessionId, data]) =>
      toSession(scope.roomId as string, sessionId, data),
    );
  }
  const parsed = AllRooms.safeParse(body);
  if (!parsed.success) throw invalid();
  return Object.entries(parsed.data.rooms).flatMap(([roomId, room]) =>
    Object.entries(room.sessions).map(([sessionId, data]) => toSession(roomId, sessionId, data)),
  );
}

function toSession(roomId: string, sessionId: string, data: z.output<typeof KeyBackupData>): BackedUpSession {
  return {
    roomId,
    sessionId,
    firstMessageIndex: data.first_message_index,
    forwardedCount: data.forwarded_count,
    isVerified: data.is_verified,
    sessionData: data.session_data as JsonObject,
  };
}

function toBackupData(session: BackedUpSession): JsonObject {
  return {
    first_message_index: session.firstMessageIndex,
    forwarded_count: session.forwardedCount,
    is_verified: session.isVerified,
    session_data: session.sessionData,
  };
}

/** Spec: verified beats unverified; then the lower first_message_index; then the lower forwarded_count. */
export function isBetter(candidate: BackedUpSession, stored: BackedUpSession | undefined): boolean {
  if (!stored) return true;
  if (candidate.isVerified !== stored.isVerified) return candidate.isVerified;
  if (candidate.firstMessageIndex !== stored.firstMessageIndex)
    return candidate.firstMessageIndex < stored.firstMessageIndex;
  return candidate.forwardedCount < stored.forwardedCount;
}
