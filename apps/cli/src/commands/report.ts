export async function run(_argv: string[]): Promise<number> {
  console.error('report: not available yet');
  return 1;
}
