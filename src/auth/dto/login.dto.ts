/** The body of POST /auth/login: the same three proofs as TOTP activation (e-mail, authKey, code). */
import { ConfirmTotpRequest } from './confirm-totp.dto';

export class LoginRequest extends ConfirmTotpRequest {}
