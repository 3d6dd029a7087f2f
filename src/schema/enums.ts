import { Plan, Role } from '../generated/prisma/enums.ts';
import { builder } from './builder.ts';

/** Enums come from the Prisma schema, so a new role or plan appears in GraphQL by regenerating. */
export const PlanEnum = builder.enumType(Plan, { name: 'Plan', description: 'Billing plan of an organization' });
export const RoleEnum = builder.enumType(Role, {
  name: 'Role',
  description: 'OWNER > ADMIN > MEMBER > VIEWER: what a member may do in an organization',
});
