import { Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { MatrixError } from './matrix-error';

/** `@Body(new ZodBodyPipe(schema))`: no body is M_NOT_JSON, a body of the wrong shape M_BAD_JSON. */
@Injectable()
export class ZodBodyPipe<Schema extends z.ZodType> implements PipeTransform<unknown, z.output<Schema>> {
  constructor(private readonly schema: Schema) {}

  transform(value: unknown): z.output<Schema> {
    if (value === undefined) throw MatrixError.notJson('Request body must be a JSON object');
    const result = this.schema.safeParse(value);
    if (!result.success) throw MatrixError.badJson(describeFirstIssue(result.error));
    return result.data;
  }
}

function describeFirstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid request body';
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}
