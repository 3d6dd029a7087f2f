import { printSchema } from 'graphql';
import { buildSchema } from './index.ts';

/** The committed schema.graphql text: sorted, with a header saying where it comes from. */
export function printSchemaSDL(): string {
  return `# Generated from src/schema by \`npm run schema:print\`. Do not edit.\n\n${printSchema(buildSchema())}\n`;
}
