import { Link } from 'wouter';

/** An address the app has no screen for. */
export function NotFound() {
  return (
    <section>
      <h1>No such page</h1>
      <Link href="/">Your organizations</Link>
    </section>
  );
}
