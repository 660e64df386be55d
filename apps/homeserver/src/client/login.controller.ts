import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { z } from 'zod';
import { LoginService } from '@hearth/accounts';
import { nullsAsAbsent, ZodBodyPipe } from '@hearth/http';

/** A null optional field is read as absent, as Synapse reads it (matrix-nio sends `"device_id": null`). */
const LoginBody = nullsAsAbsent(
  z
    .object({
      type: z.string().min(1).max(128),
      device_id: z.string().min(1).max(255).optional(),
      initial_device_display_name: z.string().max(255).optional(),
      refresh_token: z.boolean().optional(),
    })
    .passthrough(),
);

@Controller('_matrix/client/v3/login')
export class LoginController {
  constructor(private readonly login: LoginService) {}

  /** GET /_matrix/client/v3/login */
  @Get()
  loginTypes() {
    return { flows: this.login.availableLoginTypes().map((type) => ({ type })) };
  }

  /** POST /_matrix/client/v3/login */
  @Post()
  @HttpCode(200)
  async logIn(@Ip() address: string, @Body(new ZodBodyPipe(LoginBody)) body: z.output<typeof LoginBody>) {
    const session = await this.login.login({
      type: body.type,
      body,
      deviceId: body.device_id,
      initialDeviceDisplayName: body.initial_device_display_name,
      refreshToken: body.refresh_token ?? false,
      address,
    });
    return session;
  }
}
