/** The body of POST /admin/users/:id/disable and /enable: the account version the change is based on. */
import { VersionedRequest } from './versioned.dto';

export class ChangeUserStatusRequest extends VersionedRequest {}
