import { Injectable, type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { MatrixError } from './matrix-error';

/**
 * `@Body(new ZodBodyPipe(schema))`: a body of the wrong shape is M_BAD_JSON; no body is M_NOT_JSON,
 * unless the schema itself accepts `undefined` (`schema.optional()`): then the endpoint's body is
 * optional and an empty one is read as absent. Synapse does the same for join, leave and the other
 * membership endpoints, whose clients (matrix-nio, matrix-bot-sdk) post them with no body at all.
 */
@Injectable()
export class ZodBodyPipe<Schema extends z.ZodType> implements PipeTransform<unknown, z.output<Schema>> {
  constructor(private readonly schema: Schema) {}

  transform(value: unknown): z.output<Schema> {
    const result = this.schema.safeParse(value);
    if (value === undefined && !result.success) throw MatrixError.notJson('Request body must be a JSON object');
    if (!result.success) throw MatrixError.badJson(describeFirstIssue(result.error));
    return result.data;
  }
}

/**
 * A body schema under which a top-level `null` is the same as the key left out, as Synapse reads
 * optional fields (`body.get(...)` is None either way): matrix-nio sends `"device_id": null` when it
 * has none. Required fields stay required: a null there is still missing.
 */
export function nullsAsAbsent<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess(
    (value) =>
      isPlainObject(value) ? Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null)) : value,
    schema,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeFirstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid request body';
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}
