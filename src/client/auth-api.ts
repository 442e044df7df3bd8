/**
 * Typed calls to the authentication routes. The request and response types are the
 * server's own DTO classes, imported as types only: one source for both sides, and
 * nothing of the server is loaded by the client.
 */
import type { AccessTokenResponse } from '../auth/dto/access-token.response';
import type { BeginRecoveryRequest } from '../auth/dto/begin-recovery.dto';
import type { BeginRecoveryResponse } from '../auth/dto/begin-recovery.response';
import type { ChangePasswordRequest } from '../auth/dto/change-password.dto';
import type { CompleteRecoveryRequest } from '../auth/dto/complete-recovery.dto';
import type { ConfirmTotpRequest } from '../auth/dto/confirm-totp.dto';
import type { EnrolRequest } from '../auth/dto/enrol-account.dto';
import type { EnrolmentResponse } from '../auth/dto/enrolment.response';
import type { LoginRequest } from '../auth/dto/login.dto';
import type { LoginResponse } from '../auth/dto/login.response';
import type { PreloginResponse } from '../auth/dto/prelogin.response';
import type { SessionTokensResponse } from '../auth/dto/session-tokens.response';
import type { SetupRequest } from '../auth/dto/set-up-administrator.dto';
import type { UserSummaryResponse } from '../auth/dto/user-summary.response';
import type { HttpClient } from './http-client';

export class AuthApi {
  constructor(private readonly http: HttpClient) {}

  setup(body: SetupRequest): Promise<EnrolmentResponse> {
    return this.http.request('POST', '/setup', { body });
  }

  enrol(body: EnrolRequest): Promise<EnrolmentResponse> {
    return this.http.request('POST', '/auth/enrol', { body });
  }

  confirmTotp(body: ConfirmTotpRequest): Promise<UserSummaryResponse> {
    return this.http.request('POST', '/auth/totp/confirm', { body });
  }

  prelogin(email: string): Promise<PreloginResponse> {
    return this.http.request('POST', '/auth/prelogin', { body: { email } });
  }

  login(body: LoginRequest): Promise<LoginResponse> {
    return this.http.request('POST', '/auth/login', { body });
  }

  refresh(refreshToken: string): Promise<SessionTokensResponse> {
    return this.http.request('POST', '/auth/refresh', { body: { refreshToken } });
  }

  logout(): Promise<void> {
    return this.http.request('POST', '/auth/logout');
  }

  logoutEverywhere(): Promise<void> {
    return this.http.request('POST', '/auth/logout-everywhere');
  }

  me(): Promise<UserSummaryResponse> {
    return this.http.request('GET', '/auth/me');
  }

  changePassword(body: ChangePasswordRequest): Promise<AccessTokenResponse> {
    return this.http.request('POST', '/auth/password', { body });
  }

  beginRecovery(body: BeginRecoveryRequest): Promise<BeginRecoveryResponse> {
    return this.http.request('POST', '/auth/recovery/begin', { body });
  }

  completeRecovery(body: CompleteRecoveryRequest): Promise<void> {
    return this.http.request('POST', '/auth/recovery/complete', { body });
  }
}
