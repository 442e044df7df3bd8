/**
 * Every TypeORM entity of the server, in one list, so that the application, the
 * migration commands and the drift check all see the same schema.
 */
import { SetupToken } from '../../setup/setup-token.entity';

export const ENTITIES = [SetupToken];
