/**
 * Every migration, in order. Written by `npm run migration:generate`; imported as
 * classes because a glob built from __dirname finds nothing under jest.
 */
import { CreateSetupToken1795904447684 } from './1795904447684-CreateSetupToken';
import { CreateIdentityAndTeamKeys1795905156816 } from './1795905156816-CreateIdentityAndTeamKeys';
import { CreateAuditEvents1795905200000 } from './1795905200000-CreateAuditEvents';
import { ReenrolmentAndUserFilters1795906272912 } from './1795906272912-ReenrolmentAndUserFilters';
import { CreateCases1795906679358 } from './1795906679358-CreateCases';
import { SignedWrapsAndGrants1795907000000 } from './1795907000000-SignedWrapsAndGrants';
import { UserDisplayNames1795907100000 } from './1795907100000-UserDisplayNames';
import { CredentialLimitsAndAuditRepeats1795908000000 } from './1795908000000-CredentialLimitsAndAuditRepeats';
import { AuditClientAddress1795908600000 } from './1795908600000-AuditClientAddress';
import { OneConvention1795909000000 } from './1795909000000-OneConvention';
import { PrincipalNotificationsAndRateLimits1795909100000 } from './1795909100000-PrincipalNotificationsAndRateLimits';
import { KeyringRotations1795909300000 } from './1795909300000-KeyringRotations';

export const MIGRATIONS = [CreateSetupToken1795904447684, CreateIdentityAndTeamKeys1795905156816, CreateAuditEvents1795905200000, ReenrolmentAndUserFilters1795906272912, CreateCases1795906679358, SignedWrapsAndGrants1795907000000, UserDisplayNames1795907100000, CredentialLimitsAndAuditRepeats1795908000000, AuditClientAddress1795908600000, OneConvention1795909000000, PrincipalNotificationsAndRateLimits1795909100000, KeyringRotations1795909300000];
