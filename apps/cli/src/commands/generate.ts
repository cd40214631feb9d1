export async function run(_argv: string[]): Promise<number> {
  console.error('generate: not available yet');
  return 1;
}
