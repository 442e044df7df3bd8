/**
 * Every migration, in order. Written by `npm run migration:generate`; imported as
 * classes because a glob built from __dirname finds nothing under jest.
 */
import { CreateSetupToken1795904447684 } from './1795904447684-CreateSetupToken';

export const MIGRATIONS = [CreateSetupToken1795904447684];
