// Readiness: Postgres and Redis answer (app/lib/readiness.server.ts: pooled, cached, generic body).
// A load balancer stops sending traffic while this is 503.
import { createReadiness, readinessResponse } from "../lib/readiness.server";

const ready = createReadiness();

export const loader = () => readinessResponse(ready);
