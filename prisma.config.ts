import { defineConfig } from 'prisma/config';

// The CLI is used only for `prisma generate` here (its migrate needs a native
// engine these machines cannot download; scripts/migrate.ts applies migrations).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/tenant_graph' },
});
