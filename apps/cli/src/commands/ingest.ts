export async function run(_argv: string[]): Promise<number> {
  console.error('ingest: not available yet');
  return 1;
}
