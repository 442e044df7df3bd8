/**
 * HTTP routes of authentication. No logic: DTOs in, the service, response DTOs out.
 * Public routes are the ones a caller without a session needs; the rest act on the
 * caller's own account. The routes that judge a key and a TOTP code also spend the client
 * address's hourly budget of failed sign-ins (SignInAddressGuard).
 */
import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/authz/actor';
import { Authorize, CurrentActor, Public } from '../common/authz/authorize.decorator';
import { Permission } from '../common/authz/permissions';
import { ApiProblems } from '../common/http/api-problems';
import { RequestId } from '../common/http/request-id';
import { CredentialRoute } from '../common/http/rate-limits';
import { AuthService } from './auth.service';
import { AccessTokenResponse } from './dto/access-token.response';
import { BeginRecoveryRequest } from './dto/begin-recovery.dto';
import { BeginRecoveryResponse } from './dto/begin-recovery.response';
import { ChangePasswordRequest } from './dto/change-password.dto';
import { CompleteRecoveryRequest } from './dto/complete-recovery.dto';
import { ConfirmTotpRequest } from './dto/confirm-totp.dto';
import { EnrolRequest } from './dto/enrol-account.dto';
import { EnrolmentResponse } from './dto/enrolment.response';
import { LoginRequest } from './dto/login.dto';
import { LoginResponse } from './dto/login.response';
import { PreloginRequest } from './dto/prelogin.dto';
import { PreloginResponse } from './dto/prelogin.response';
import { RefreshRequest } from './dto/refresh-session.dto';
import { SessionTokensResponse } from './dto/session-tokens.response';
import { UserSummaryResponse } from './dto/user-summary.response';
import { SessionsService } from './sessions.service';
import type { AddressAttempt } from './sign-in-address';
import { SignInAddressGuard, SignInAttempt } from './sign-in-address.guard';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  @Post('enrol')
  @CredentialRoute()
  @Public()
  @ApiOperation({ summary: 'Enrol with an invitation code and client-made key material; returns the TOTP secret once' })
  @ApiCreatedResponse({ type: EnrolmentResponse })
  @ApiProblems(400, 403, 409, 429)
  enrol(@Body() body: EnrolRequest, @RequestId() requestId: string): Promise<EnrolmentResponse> {
    return this.auth.enrol(body, requestId);
  }

  @Post('totp/confirm')
  @CredentialRoute()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Activate TOTP with a first code; required before the first login' })
  @UseGuards(SignInAddressGuard)
  @ApiOkResponse({ type: UserSummaryResponse })
  @ApiProblems(400, 401, 429)
  confirmTotp(@Body() body: ConfirmTotpRequest, @RequestId() requestId: string, @SignInAttempt() attempt: AddressAttempt): Promise<UserSummaryResponse> {
    return this.auth.confirmTotp(body, requestId, attempt);
  }

  @Post('prelogin')
  @CredentialRoute()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'KDF salt and limits for an e-mail (stable decoys for unknown ones)' })
  @ApiOkResponse({ type: PreloginResponse })
  @ApiProblems(400, 429)
  prelogin(@Body() body: PreloginRequest): Promise<PreloginResponse> {
    return this.auth.prelogin(body.email);
  }

  @Post('login')
  @CredentialRoute()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with the authKey and a TOTP code' })
  @UseGuards(SignInAddressGuard)
  @ApiOkResponse({ type: LoginResponse })
  @ApiProblems(400, 401, 429)
  login(@Body() body: LoginRequest, @RequestId() requestId: string, @SignInAttempt() attempt: AddressAttempt): Promise<LoginResponse> {
    return this.auth.login(body, requestId, attempt);
  }

  @Post('refresh')
  @CredentialRoute()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair (reuse revokes the session)' })
  @ApiOkResponse({ type: SessionTokensResponse })
  @ApiProblems(400, 401, 429)
  refresh(@Body() body: RefreshRequest, @RequestId() requestId: string): Promise<SessionTokensResponse> {
    return this.sessions.refresh(body.refreshToken, requestId);
  }

  @Post('logout')
  @Authorize(Permission.Self)
  @HttpCode(204)
  @ApiOperation({ summary: 'End this session' })
  @ApiNoContentResponse()
  @ApiProblems(401, 429)
  logout(@CurrentActor() actor: Actor): Promise<void> {
    return this.sessions.logout(actor);
  }

  @Post('logout-everywhere')
  @Authorize(Permission.Self)
  @HttpCode(204)
  @ApiOperation({ summary: 'End every session of this account; every access token fails at once' })
  @ApiNoContentResponse()
  @ApiProblems(401, 429)
  logoutEverywhere(@CurrentActor() actor: Actor): Promise<void> {
    return this.sessions.logoutEverywhere(actor);
  }

  @Get('me')
  @Authorize(Permission.Self)
  @ApiOperation({ summary: 'Who the access token belongs to' })
  @ApiOkResponse({ type: UserSummaryResponse })
  @ApiProblems(401, 429)
  me(@CurrentActor() actor: Actor): Promise<UserSummaryResponse> {
    return this.auth.whoami(actor);
  }

  @Post('password')
  @CredentialRoute()
  @Authorize(Permission.Self)
  @HttpCode(200)
  @ApiOperation({ summary: 'Change the password: new salt and authKey, seed re-wrapped; other sessions end' })
  @ApiOkResponse({ type: AccessTokenResponse })
  @ApiProblems(400, 401, 403, 429)
  changePassword(@CurrentActor() actor: Actor, @Body() body: ChangePasswordRequest): Promise<AccessTokenResponse> {
    return this.auth.changePassword(actor, body);
  }

  @Post('recovery/begin')
  @CredentialRoute()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Prove the recovery key and a TOTP code; receive the recovery-wrapped seed and a ticket' })
  @UseGuards(SignInAddressGuard)
  @ApiOkResponse({ type: BeginRecoveryResponse })
  @ApiProblems(400, 401, 429)
  beginRecovery(@Body() body: BeginRecoveryRequest, @RequestId() requestId: string, @SignInAttempt() attempt: AddressAttempt): Promise<BeginRecoveryResponse> {
    return this.auth.beginRecovery(body, requestId, attempt);
  }

  @Post('recovery/complete')
  @CredentialRoute()
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Set the new password credentials with the recovery ticket; every session ends' })
  @ApiNoContentResponse()
  @ApiProblems(400, 401, 429)
  completeRecovery(@Body() body: CompleteRecoveryRequest, @RequestId() requestId: string): Promise<void> {
    return this.auth.completeRecovery(body, requestId);
  }
}
