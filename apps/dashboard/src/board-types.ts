/** The live board's answer (GET /api/status/now) and the mute answer, as the API documents them. */
export type StoreStateName = 'closed' | 'no_data' | 'down' | 'up';

export interface BoardStore {
  store_id: string;
  state: StoreStateName;
  closed_by: 'weekly' | 'special' | null;
  down_since: string | null;
  down_minutes: number | null;
  last_poll_at: string | null;
  muted: boolean;
  muted_until: string | null;
  mute_reason: string | null;
  /** A down store's open incident; null otherwise. */
  incident_id: string | null;
  acknowledgement: Acknowledgement | null;
}

/** Who acknowledged an incident for the owner ("I'm on it"), when, and the note. */
export interface Acknowledgement {
  acknowledged_at: string;
  key_id: string | null;
  role: 'viewer' | 'manager' | 'owner';
  note: string | null;
}

export interface Board {
  as_of: string | null;
  evaluated_at: string | null;
  data_age_seconds: number | null;
  counts: Record<StoreStateName | 'muted', number>;
  total: number;
  limit: number;
  offset: number;
  stores: BoardStore[];
}

export interface MuteView {
  store_id: string;
  owner_id: string | null;
  until: string;
  reason: string | null;
}
