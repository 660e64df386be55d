import type { INestApplication } from '@nestjs/common';

/** Spec "Web Browser Clients": every endpoint answers cross-origin requests from any origin. */
export function enableMatrixCors(app: INestApplication): void {
  app.enableCors({
    origin: '*',
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['X-Requested-With', 'Content-Type', 'Authorization'],
    maxAge: 86400,
  });
}
