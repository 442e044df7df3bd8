/**
 * Typed calls to the authentication routes. The request and response types are the
 * server's own DTO classes, imported as types only: one source for both sides, and
 * nothing of the server is loaded by the client.
 */
import type {
  BeginRecoveryRequest,
  ChangePasswordRequest,
  CompleteRecoveryRequest,
  ConfirmTotpRequest,
  EnrolRequest,
  LoginRequest,
  SetupRequest,
} from '../auth/dto/auth-requests.dto';
import type {
  AccessTokenResponse,
  BeginRecoveryResponse,
  EnrolmentResponse,
  LoginResponse,
  PreloginResponse,
  SessionTokensResponse,
  UserSummaryDto,
} from '../auth/dto/auth-responses.dto';
import type { HttpClient } from './http-client';

export class AuthApi {
  constructor(private readonly http: HttpClient) {}

  setup(body: SetupRequest): Promise<EnrolmentResponse> {
    return this.http.request('POST', '/setup', { body });
  }

  enrol(body: EnrolRequest): Promise<EnrolmentResponse> {
    return this.http.request('POST', '/auth/enrol', { body });
  }

  confirmTotp(body: ConfirmTotpRequest): Promise<UserSummaryDto> {
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

  me(): Promise<UserSummaryDto> {
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
