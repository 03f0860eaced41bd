/** Server URL the tests use (no database part); `TEST_DATABASE_URL` overrides it. */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/';
}
