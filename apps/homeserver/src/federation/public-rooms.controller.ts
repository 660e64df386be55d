import { Body, Controller, Get, HttpCode, Inject, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { FederationAuthGuard } from '@hearth/federation-client';
import { MatrixError, ZodBodyPipe } from '@hearth/http';
import { PublicRoomsService } from '@hearth/rooms';

const SearchBody = z.object({
  limit: z.number().int().min(1).max(500).optional(),
  since: z.string().max(32).optional(),
  filter: z.object({ generic_search_term: z.string().max(256).optional() }).optional(),
});

/** Spec SS API "Public Room Directory", served only when the operator opens it (`federation.public_rooms`). */
@Controller('_matrix/federation/v1/publicRooms')
@UseGuards(FederationAuthGuard)
export class FederationPublicRoomsController {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly directory: PublicRoomsService,
  ) {}

  /** GET /_matrix/federation/v1/publicRooms */
  @Get()
  list(@Query('limit') limit?: string, @Query('since') since?: string) {
    this.assertOpen();
    const size = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(size) || size < 1) throw MatrixError.invalidParam('limit must be a positive integer');
    return this.directory.list({ limit: Math.min(size, 500), since });
  }

  /** POST /_matrix/federation/v1/publicRooms */
  @Post()
  @HttpCode(200)
  search(@Body(new ZodBodyPipe(SearchBody)) body: z.output<typeof SearchBody>) {
    this.assertOpen();
    return this.directory.list({
      limit: body.limit ?? 100,
      since: body.since,
      searchTerm: body.filter?.generic_search_term,
    });
  }

  private assertOpen(): void {
    if (!this.config.federation.publicRooms)
      throw MatrixError.forbidden('This server does not share its room directory with other servers');
  }
}
