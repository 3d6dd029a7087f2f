import { createAuthService } from './auth.ts';
import type { ServiceDeps } from './deps.ts';
import { createFeatureFlagService } from './feature-flags.ts';
import { createMembershipService } from './memberships.ts';
import { createOrganizationService } from './organizations.ts';
import { createUserService } from './users.ts';

/** Every write the API can make, bound to one request's viewer and loaders. */
export function createServices(deps: ServiceDeps) {
  return {
    auth: createAuthService(deps),
    users: createUserService(deps),
    organizations: createOrganizationService(deps),
    memberships: createMembershipService(deps),
    featureFlags: createFeatureFlagService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
