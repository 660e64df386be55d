import type { INestApplicationContext } from '@nestjs/common';
import {
  AccountCreator,
  PasswordHasher,
  RegistrationTokensService,
  toRegistrationTokenResponse,
} from '@hearth/accounts';
import {
  AdminExportsService,
  AvailabilityDefaultService,
  type AdminExportProgress,
  type StoredAvailabilityDefault,
} from '@hearth/sovereignty';
import { TransactionRunner } from '@hearth/storage';

export type RegistrationTokenView = ReturnType<typeof toRegistrationTokenResponse>;

export interface NewUser {
  readonly localpart: string;
  readonly password: string;
  readonly admin: boolean;
}

export interface NewToken {
  readonly token?: string;
  readonly usesAllowed: number | null;
  readonly expiryTime: number | null;
}

/**
 * What `hearth admin` does, as plain JSON in and out, so that the same code runs in the CLI's
 * own process (server stopped, or PostgreSQL) and inside a running server that owns the
 * embedded database (reached over its control socket).
 */
export interface AdminOperations {
  createUser(user: NewUser): Promise<string>;
  createRegistrationToken(token: NewToken): Promise<RegistrationTokenView>;
  listRegistrationTokens(): Promise<RegistrationTokenView[]>;
  revokeRegistrationToken(token: string): Promise<void>;
  /** The body of `PUT /_hearth/admin/v1/availability/default`; refused with every problem in the message. */
  setAvailabilityDefault(body: unknown): Promise<StoredAvailabilityDefault>;
  showAvailabilityDefault(): Promise<StoredAvailabilityDefault | null>;
  /** Starts building the user's export archive at `outPath` (absolute); poll with exportUserProgress. */
  beginUserExport(userId: string, outPath: string): Promise<string>;
  exportUserProgress(jobId: string): Promise<AdminExportProgress>;
}

export const ADMIN_OPERATION_NAMES: readonly (keyof AdminOperations)[] = [
  'createUser',
  'createRegistrationToken',
  'listRegistrationTokens',
  'revokeRegistrationToken',
  'setAvailabilityDefault',
  'showAvailabilityDefault',
  'beginUserExport',
  'exportUserProgress',
];

export function adminOperationsIn(app: INestApplicationContext): AdminOperations {
  const tokens = app.get(RegistrationTokensService);
  return {
    async createUser({ localpart, password, admin }) {
      const passwordHash = await app.get(PasswordHasher).hash(password);
      return app
        .get(TransactionRunner)
        .run((em) =>
          app.get(AccountCreator).create({ localpart, passwordHash, isAdmin: admin, allowReserved: true }, em),
        );
    },
    createRegistrationToken: async (token) => toRegistrationTokenResponse(await tokens.create(token)),
    listRegistrationTokens: async () => (await tokens.list()).map(toRegistrationTokenResponse),
    revokeRegistrationToken: (token) => tokens.revoke(token),
    setAvailabilityDefault: (body) => app.get(AvailabilityDefaultService).set(body),
    showAvailabilityDefault: async () => (await app.get(AvailabilityDefaultService).get()) ?? null,
    beginUserExport: (userId, outPath) => app.get(AdminExportsService).begin(userId, outPath),
    exportUserProgress: (jobId) => Promise.resolve(app.get(AdminExportsService).progress(jobId)),
  };
}
