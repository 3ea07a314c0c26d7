// What every streamed export shares: the lot ids inlined into a COPY statement, and the pooled
// connection handed back when the stream ends, fails or is cut short.
import type { Readable } from "node:stream";
import type pg from "pg";
import { watchConnection } from "../../lib/sql.server";

export function lotLiteral(ids: readonly bigint[]): string {
  // Inlined because COPY takes no bind parameters: only bigint values, printed by BigInt.
  return `array[${ids.map((id) => BigInt(id).toString()).join(",")}]::bigint[]`;
}

/** `stream`, releasing `client` on its end, error or close (a broken connection fails the stream). */
export function releasing(client: pg.PoolClient, stream: Readable): Readable {
  // Postgres going away mid-export breaks the connection: the download fails with that error
  // (the process lives on) and the broken client is discarded, not reused.
  const connection = watchConnection(client, (error) => stream.destroy(error));
  let done = false;
  const finish = (error?: Error) => {
    if (done) return;
    done = true;
    // A stream cut short leaves the connection mid-COPY: release(error) closes it instead of reusing it.
    connection.release(error);
  };
  stream.once("end", () => finish());
  stream.once("error", (error) => finish(error));
  stream.once("close", () => finish(stream.readableEnded ? undefined : new Error("export stream closed before its end")));
  return stream;
}
