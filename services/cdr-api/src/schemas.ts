import { Type } from "@sinclair/typebox";

// Nullable fields use OpenAPI 3.0's `nullable` rather than anyOf: the response serialiser
// (fast-json-stringify) runs a schema validation per value to pick an anyOf branch, which
// made a page of 50 records several times slower.
const Text = Type.String({ nullable: true });
const Count = Type.Integer({ nullable: true });
const NullableString = (description: string) => Type.String({ nullable: true, description });

export const SourceSchema = Type.String({
  enum: ["hq", "local"],
  description: "hq: the records come from HQ's consolidated database; local: from this site's own database.",
});

export const PageLinksSchema = Type.Object({
  next: NullableString("Cursor for older rows, or null on the last page."),
  prev: NullableString("Cursor for newer rows, or null on the first page."),
});

export const RecordSchema = Type.Object({
  site: Type.String(),
  calldate: Type.String({ description: "Start of the record, ISO 8601 UTC." }),
  calldateLocal: Type.String({ description: "Start of the record at the record's site, ISO 8601 with offset." }),
  clid: Text,
  src: Text,
  dst: Text,
  dcontext: Text,
  channel: Text,
  dstchannel: Text,
  lastapp: Text,
  lastdata: Text,
  duration: Count,
  billsec: Count,
  disposition: Text,
  amaflags: Count,
  accountcode: Text,
  uniqueid: Type.String(),
  userfield: Text,
  linkedid: Text,
  peeraccount: Text,
  sequence: Type.Integer(),
});

export const CallSchema = Type.Object({
  id: Type.String({ description: "linkedid of the call's first record." }),
  site: Type.String({ description: "Site where the call started." }),
  calldate: Type.String(),
  calldateLocal: Type.String(),
  clid: Text,
  src: Text,
  dst: Text,
  dcontext: Text,
  disposition: Type.String({ description: "Best disposition among the legs: ANSWERED, BUSY, NO ANSWER, CONGESTION, FAILED." }),
  answeredBy: Type.Object(
    {
      site: Type.String(),
      channel: Text,
      peer: Text,
      application: Text,
    },
    { nullable: true, description: "Leg that answered, or null when nobody did." },
  ),
  talkSeconds: Type.Integer({ description: "billsec of the answering leg." }),
  ringSeconds: Type.Integer({ description: "duration − billsec of the answering leg; for unanswered calls, the longest duration." }),
  durationSeconds: Type.Integer(),
  legs: Type.Integer({ description: "Number of cdr records in the call." }),
  sites: Type.Array(Type.String()),
});

const ListEnvelope = {
  source: SourceSchema,
  site: Type.String({ description: "Site asked for, or all." }),
  timeZone: Type.String({ description: "Time zone that from and to were read in." }),
  limit: Type.Integer(),
  page: PageLinksSchema,
};

export const RecordsResponse = Type.Object({ ...ListEnvelope, items: Type.Array(RecordSchema) });
export const CallsResponse = Type.Object({ ...ListEnvelope, items: Type.Array(CallSchema) });

export const StatsResponse = Type.Object({
  source: SourceSchema,
  site: Type.String(),
  timeZone: Type.String(),
  from: Type.String({ description: "Start of the counted range, ISO 8601 UTC." }),
  to: Type.String({ description: "End of the counted range (exclusive), ISO 8601 UTC." }),
  days: Type.Array(Type.String(), { description: "Calendar days in the range, in the time zone of the request." }),
  rows: Type.Array(
    Type.Object({
      date: Type.String({ description: "Calendar day at the call's own site." }),
      site: Type.String(),
      disposition: Type.String(),
      calls: Type.Integer(),
      talkSeconds: Type.Integer(),
    }),
  ),
});

export const SitesResponse = Type.Object({
  site: Type.String(),
  role: Type.Union([Type.Literal("hq"), Type.Literal("branch")]),
  timeZone: Type.String(),
  sites: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), timeZone: Type.String() })),
});

export const ReplicationSchema = Type.Object({
  connection: Type.String(),
  ioRunning: Type.String(),
  sqlRunning: Type.String(),
  secondsBehind: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  ok: Type.Boolean(),
});

export const HealthResponse = Type.Object({
  site: Type.String(),
  role: Type.Union([Type.Literal("hq"), Type.Literal("branch")]),
  status: Type.Union([Type.Literal("ok"), Type.Literal("degraded"), Type.Literal("down")]),
  checkedAt: Type.String(),
  database: Type.Object({ ok: Type.Boolean(), latencyMs: Type.Optional(Type.Integer()), error: Type.Optional(Type.String()) }),
  replication: Type.Optional(
    Type.Object({
      checked: Type.Boolean(),
      error: Type.Optional(Type.String()),
      maxSecondsBehind: Type.Union([Type.Integer(), Type.Null()]),
      connections: Type.Array(ReplicationSchema),
    }),
  ),
  hq: Type.Optional(Type.Object({ reachable: Type.Boolean(), latencyMs: Type.Optional(Type.Integer()), error: Type.Optional(Type.String()) })),
});

export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});
