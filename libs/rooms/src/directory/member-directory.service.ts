import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '@hearth/storage';
import type { DirectoryMatch, DirectoryQuery } from './directory-match';
import { MemberDirectoryRepository } from './member-directory.repository';

/**
 * The rooms side of the user directory: people the searcher may find through rooms. Read from
 * current room state, so it follows every join, leave and profile change as it commits.
 */
@Injectable()
export class MemberDirectory {
  constructor(
    private readonly members: MemberDirectoryRepository,
    private readonly tx: TransactionRunner,
  ) {}

  search(searcher: string, query: DirectoryQuery): Promise<DirectoryMatch[]> {
    if (query.words.length === 0) return Promise.resolve([]);
    return this.tx.read((em) => this.members.search(searcher, query, em));
  }
}
