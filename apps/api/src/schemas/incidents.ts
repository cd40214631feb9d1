import { Type } from 'typebox';
import { UUID_PATTERN, stringEnum } from './common.js';

const exampleIncidentId = '9f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f';
const exampleKeyId = 'c4d5e6f7-0a1b-4c2d-9e3f-5a6b7c8d9e0f';

export const AcknowledgementView = Type.Object(
  {
    acknowledged_at: Type.String({ format: 'date-time' }),
    key_id: Type.Union([Type.String(), Type.Null()], { description: 'The owner key that acknowledged; null when the operator did, for the owner' }),
    role: stringEnum(['viewer', 'manager', 'owner'] as const, { description: 'The role of that key' }),
    note: Type.Union([Type.String(), Type.Null()]),
  },
  { description: 'Who acknowledged the incident for the owner ("I’m on it"), when, and the note' },
);
export const NullableAcknowledgement = Type.Union([AcknowledgementView, Type.Null()], { description: 'The owner’s acknowledgement; null = nobody acknowledged it yet' });

export const IncidentView = Type.Object({
  incident_id: Type.String({ pattern: UUID_PATTERN }),
  store_id: Type.String(),
  started_at: Type.String({ description: 'UTC instant with microseconds' }),
  observed_until: Type.String({ description: 'The latest data the alerting saw' }),
  acknowledgement: NullableAcknowledgement,
});
export const OpenIncidents = Type.Object(
  { incidents: Type.Array(IncidentView) },
  {
    description: "Stores of the caller's set that are down inside business hours right now, as the downtime alerts last saw them, with the owner's acknowledgement",
    examples: [
      {
        incidents: [
          {
            incident_id: exampleIncidentId,
            store_id: '2492131989990483260',
            started_at: '2023-01-25T10:30:00.000000Z',
            observed_until: '2023-01-25T11:40:00.000000Z',
            acknowledgement: { acknowledged_at: '2023-01-25T11:52:10.000Z', key_id: exampleKeyId, role: 'manager', note: 'Called the store: tablet offline, on it' },
          },
        ],
      },
    ],
  },
);
export const IncidentsQuery = Type.Object(
  {
    state: Type.Optional(stringEnum(['open'] as const, { description: 'Which incidents: `open` (the default), those still going on' })),
    acknowledged: Type.Optional(Type.Boolean({ description: 'Only the acknowledged (true) or unacknowledged (false) ones' })),
    owner_id: Type.Optional(Type.String({ pattern: UUID_PATTERN, description: "Operator only: one owner's incidents" })),
    group_id: Type.Optional(Type.String({ pattern: UUID_PATTERN, description: "Only one group's stores (a group key sees its group's alone)" })),
  },
  { additionalProperties: false },
);

export const IncidentIdParams = Type.Object({ incident_id: Type.String({ pattern: UUID_PATTERN, description: 'Incident id (as in `store.down`, GET /api/incidents and the board)', examples: [exampleIncidentId] }) });

export const AcknowledgeBody = Type.Object(
  {
    note: Type.Optional(Type.String({ maxLength: 1_000, description: 'What is being done, for whoever reads the board', examples: ['Called the store: tablet offline, on it'] })),
    owner_id: Type.Optional(Type.String({ pattern: UUID_PATTERN, description: 'Operator only: the owner acknowledging (an owner key acknowledges for its owner)' })),
  },
  { additionalProperties: false, examples: [{ note: 'Called the store: tablet offline, on it' }] },
);

export const AcknowledgedIncident = Type.Object(
  {
    incident_id: Type.String({ pattern: UUID_PATTERN }),
    store_id: Type.String(),
    started_at: Type.String({ description: 'UTC instant with microseconds' }),
    ended_at: Type.Union([Type.String(), Type.Null()], { description: 'Null while the incident is open' }),
    acknowledgement: AcknowledgementView,
  },
  {
    description: 'The incident with the owner’s acknowledgement: the first one, unchanged, when it was already acknowledged',
    examples: [
      {
        incident_id: exampleIncidentId,
        store_id: '2492131989990483260',
        started_at: '2023-01-25T10:30:00.000000Z',
        ended_at: null,
        acknowledgement: { acknowledged_at: '2023-01-25T11:52:10.000Z', key_id: exampleKeyId, role: 'manager', note: 'Called the store: tablet offline, on it' },
      },
    ],
  },
);
