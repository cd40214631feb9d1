import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Database, type Kysely } from '@store-monitoring/db';

/**
 * Writes the database's current data as the three source CSV files (the format users load), so
 * the offline CLI can be run over exactly the data the service reports on.
 */
export async function exportSourceFiles(db: Kysely<Database>, dir: string, versions: { businessHoursVersion: string; timezonesVersion: string }): Promise<void> {
  const status = await sql<{ line: string }>`
    SELECT store_id || ',' || CASE WHEN active THEN 'active' ELSE 'inactive' END || ',' ||
           to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || ' UTC' AS line
    FROM store_status ORDER BY observed_at DESC, store_id`.execute(db);
  await writeFile(join(dir, 'store_status.csv'), `store_id,status,timestamp_utc\n${status.rows.map((row) => row.line).join('\n')}\n`);
  const hours = await sql<{ line: string }>`
    SELECT store_id || ',' || day_of_week || ',' || to_char(start_time_local, 'HH24:MI:SS') || ',' || to_char(end_time_local, 'HH24:MI:SS') AS line
    FROM business_hours WHERE version_id = ${versions.businessHoursVersion} ORDER BY store_id DESC, day_of_week`.execute(db);
  await writeFile(join(dir, 'business_hours.csv'), `store_id,dayOfWeek,start_time_local,end_time_local\n${hours.rows.map((row) => row.line).join('\n')}\n`);
  const zones = await sql<{ line: string }>`
    SELECT store_id || ',' || timezone_str AS line FROM timezones WHERE version_id = ${versions.timezonesVersion} ORDER BY store_id`.execute(db);
  await writeFile(join(dir, 'timezones.csv'), `store_id,timezone_str\n${zones.rows.map((row) => row.line).join('\n')}\n`);
}
