import { Injectable } from '@nestjs/common';
import type { JsonObject } from '@hearth/protocol';

/** Sends one federation transaction; throws to have it retried later with the same rows. Federation registers the real one. */
export type TransactionTransport = (destination: string, txnId: string, pdus: readonly JsonObject[], edus: readonly JsonObject[]) => Promise<void>;

@Injectable()
export class TransportGateway {
  private transport: TransactionTransport | undefined;

  register(transport: TransactionTransport): void {
    this.transport = transport;
  }

  send(destination: string, txnId: string, pdus: readonly JsonObject[], edus: readonly JsonObject[]): Promise<void> {
    if (!this.transport) return Promise.reject(new Error('No federation transport'));
    return this.transport(destination, txnId, pdus, edus);
  }
}
