import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DatabaseHealth } from '@hearth/storage';

@Controller('health')
export class HealthController {
  constructor(private readonly database: DatabaseHealth) {}

  /** GET /health — for load balancers: 200 "OK" while the database answers, else 503. */
  @Get()
  async health(@Res() reply: FastifyReply): Promise<void> {
    const healthy = await this.database.isHealthy();
    await reply
      .status(healthy ? 200 : 503)
      .type('text/plain')
      .send(healthy ? 'OK' : 'database unavailable');
  }
}
