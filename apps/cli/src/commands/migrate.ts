export async function run(_argv: string[]): Promise<number> {
  console.error('migrate: not available yet');
  return 1;
}
