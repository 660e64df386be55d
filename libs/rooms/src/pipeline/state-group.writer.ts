import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { splitStateKeyTuple } from '@hearth/protocol';
import { queryRows } from '@hearth/storage';
import { StateRepository, type StateIds } from '../storage/state.repository';
import { StatementParameters as P, type Columns } from './named-columns';

/** Past this many deltas a state group is written whole, so reads never walk a long chain. */
const MAX_DELTA_CHAIN = 100;

interface StateGroupRow {
  readonly room_id: string;
  readonly prev_group: number | null;
  readonly chain_depth: number;
}

interface StateGroupEntryRow {
  readonly type: string;
  readonly state_key: string;
  readonly event_id: string;
}

const GROUP_COLUMNS: Columns<StateGroupRow> = { room_id: 'text', prev_group: 'bigint', chain_depth: 'int' };
const ENTRY_COLUMNS: Columns<StateGroupEntryRow> = { type: 'text', state_key: 'text', event_id: 'text' };

interface NewGroup {
  readonly group: StateGroupRow;
  readonly entries: readonly StateGroupEntryRow[];
}

const p = new P<NewGroup>();
/** A group and its entries in one round trip. */
const INSERT_GROUP = `WITH g AS (INSERT INTO state_groups (${P.columnList(GROUP_COLUMNS)})
    SELECT * FROM ${p.rows('n', GROUP_COLUMNS, (input) => [input.group])} RETURNING id),
  entries AS (INSERT INTO state_group_entries (state_group, ${P.columnList(ENTRY_COLUMNS)})
    SELECT g.id, ${P.columnList(ENTRY_COLUMNS, 'x.')} FROM g, ${p.rows('x', ENTRY_COLUMNS, (input) => input.entries)})
  SELECT id FROM g`;

/** The pipeline's writer of state groups (see docs/rooms.md, "Why state groups as deltas"). */
@Injectable()
export class StateGroupWriter {
  constructor(private readonly state: StateRepository) {}

  /** A new group: `prev` plus `changes`. */
  async create(roomId: string, prev: number | null, changes: StateIds, em: EntityManager): Promise<number> {
    const depth = prev === null ? 0 : await this.chainDepth(prev, em);
    const snapshot = prev !== null && depth + 1 > MAX_DELTA_CHAIN;
    const entries = snapshot ? new Map([...(await this.state.loadGroup(prev, em)), ...changes]) : changes;
    const parent = snapshot ? null : prev;
    const input: NewGroup = {
      group: { room_id: roomId, prev_group: parent, chain_depth: parent === null ? 0 : depth + 1 },
      entries: [...entries].map(([tuple, eventId]) => {
        const { type, stateKey } = splitStateKeyTuple(tuple);
        return { type, state_key: stateKey, event_id: eventId };
      }),
    };
    const [row] = await queryRows<{ id: string }>(em, INSERT_GROUP, p.valuesOf(input));
    return Number(row?.id);
  }

  private async chainDepth(group: number, em: EntityManager): Promise<number> {
    const [row] = await queryRows<{ chain_depth: number }>(em, 'SELECT chain_depth FROM state_groups WHERE id = $1', [
      group,
    ]);
    return row?.chain_depth ?? 0;
  }
}
