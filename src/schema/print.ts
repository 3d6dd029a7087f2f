import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { buildSchema } from './index.ts';

/** The committed schema.graphql text: sorted, with directive usages (@rateLimit) shown on their fields. */
export function printSchemaSDL(): string {
  return `# Generated from src/schema by \`npm run schema:print\`. Do not edit.\n\n${printSchemaWithDirectives(buildSchema())}\n`;
}
