import { Body, Controller, Delete, Get, Param, Put, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { MatrixError, ZodBodyPipe } from '@hearth/http';
import type { PushAction, PushCondition } from '@hearth/protocol';
import { PushRulesService } from '@hearth/rooms';

const Action = z.union([z.string().max(64), z.record(z.string(), z.unknown())]).transform((a) => a as PushAction);
const Condition = z
  .object({ kind: z.string().max(64) })
  .passthrough()
  .transform((c) => c as PushCondition);
const RuleBody = z.object({
  actions: z.array(Action).max(20),
  conditions: z.array(Condition).max(20).optional(),
  pattern: z.string().max(256).optional(),
});
const EnabledBody = z.object({ enabled: z.boolean() });
const ActionsBody = z.object({ actions: z.array(Action).max(20) });

/** Only the `global` scope exists (spec: device scopes were removed). */
@Controller('_matrix/client/v3/pushrules')
@UseGuards(AccessTokenGuard)
export class PushRulesController {
  constructor(private readonly pushRules: PushRulesService) {}

  /** GET /_matrix/client/v3/pushrules/ */
  @Get()
  async all(@Requester() who: Requester) {
    return { global: await this.pushRules.ruleset(who.userId) };
  }

  /** GET /_matrix/client/v3/pushrules/global/ */
  @Get('global')
  global(@Requester() who: Requester) {
    return this.pushRules.ruleset(who.userId);
  }

  /** GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId} */
  @Get('global/:kind/:ruleId')
  rule(@Requester() who: Requester, @Param('kind') kind: string, @Param('ruleId') ruleId: string) {
    return this.pushRules.rule(who.userId, kind, ruleId);
  }

  /** PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId} */
  @Put('global/:kind/:ruleId')
  async put(
    @Requester() who: Requester,
    @Param('kind') kind: string,
    @Param('ruleId') ruleId: string,
    @Query('before') before: string | undefined,
    @Query('after') after: string | undefined,
    @Body(new ZodBodyPipe(RuleBody)) body: z.output<typeof RuleBody>,
  ) {
    if (before !== undefined && after !== undefined) throw MatrixError.invalidParam('Give before or after, not both');
    await this.pushRules.put(who.userId, kind, ruleId, { ...body, before, after });
    return {};
  }

  /** DELETE /_matrix/client/v3/pushrules/global/{kind}/{ruleId} */
  @Delete('global/:kind/:ruleId')
  async delete(@Requester() who: Requester, @Param('kind') kind: string, @Param('ruleId') ruleId: string) {
    await this.pushRules.delete(who.userId, kind, ruleId);
    return {};
  }

  /** GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/enabled */
  @Get('global/:kind/:ruleId/enabled')
  async enabled(@Requester() who: Requester, @Param('kind') kind: string, @Param('ruleId') ruleId: string) {
    return { enabled: (await this.pushRules.rule(who.userId, kind, ruleId)).enabled };
  }

  /** PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/enabled */
  @Put('global/:kind/:ruleId/enabled')
  async setEnabled(
    @Requester() who: Requester,
    @Param('kind') kind: string,
    @Param('ruleId') ruleId: string,
    @Body(new ZodBodyPipe(EnabledBody)) body: z.output<typeof EnabledBody>,
  ) {
    await this.pushRules.setEnabled(who.userId, kind, ruleId, body.enabled);
    return {};
  }

  /** GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions */
  @Get('global/:kind/:ruleId/actions')
  async actions(@Requester() who: Requester, @Param('kind') kind: string, @Param('ruleId') ruleId: string) {
    return { actions: (await this.pushRules.rule(who.userId, kind, ruleId)).actions };
  }

  /** PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions */
  @Put('global/:kind/:ruleId/actions')
  async setActions(
    @Requester() who: Requester,
    @Param('kind') kind: string,
    @Param('ruleId') ruleId: string,
    @Body(new ZodBodyPipe(ActionsBody)) body: z.output<typeof ActionsBody>,
  ) {
    await this.pushRules.setActions(who.userId, kind, ruleId, body.actions);
    return {};
  }
}
