import { describe, expect, it } from "vitest";
import { assertPreviewChildEnvironment, databaseHostIsLocal, previewDatabaseUrl, previewQueuePrefix } from "./isolation";
import { PreviewRefusedError } from "./guard";

describe("preview isolation", () => {
  it("derives its own database on the same server, never DATABASE_URL's own", () => {
    expect(previewDatabaseUrl("postgresql://postgres@127.0.0.1:5432/lotkeeper")).toBe("postgresql://postgres@127.0.0.1:5432/lotkeeper_preview");
    expect(previewDatabaseUrl("postgresql://postgres@127.0.0.1:5432/lotkeeper_preview")).toBe("postgresql://postgres@127.0.0.1:5432/lotkeeper_preview");
    expect(previewDatabaseUrl("postgresql://postgres@127.0.0.1:5432/lotkeeper_demo?sslmode=disable")).toBe(
      "postgresql://postgres@127.0.0.1:5432/lotkeeper_demo_preview?sslmode=disable",
    );
  });

  it("takes a queue prefix of its database, never the default one", () => {
    const prefix = previewQueuePrefix("postgresql://127.0.0.1/lotkeeper_preview");
    expect(prefix).toBe("{lotkeeper-preview:lotkeeper_preview}");
    expect(prefix).not.toBe("{lotkeeper}");
    expect(previewQueuePrefix("postgresql://127.0.0.1/a_preview")).not.toBe(prefix);
  });

  it("counts loopback addresses and sockets as this machine, anything else not", () => {
    for (const url of ["postgresql://127.0.0.1/x", "postgresql://localhost/x", "postgresql://[::1]:5432/x", "postgresql:///x?host=/var/run/postgresql"]) {
      expect(databaseHostIsLocal(url).local, url).toBe(true);
    }
    for (const url of ["postgresql://db.internal/x", "postgresql://10.0.0.5/x", "postgresql://127.0.0.1.nip.io/x"])
      expect(databaseHostIsLocal(url).local, url).toBe(false);
  });

  it("lets the simulator load only in a preview's environment", () => {
    const database = "postgresql://127.0.0.1/lotkeeper_preview";
    expect(() => assertPreviewChildEnvironment({ DATABASE_URL: database, QUEUE_PREFIX: previewQueuePrefix(database) })).not.toThrow();
    expect(() => assertPreviewChildEnvironment({ DATABASE_URL: database, QUEUE_PREFIX: "{lotkeeper}" })).toThrow(PreviewRefusedError);
    expect(() =>
      assertPreviewChildEnvironment({ DATABASE_URL: "postgresql://127.0.0.1/lotkeeper", QUEUE_PREFIX: previewQueuePrefix("postgresql://127.0.0.1/lotkeeper") }),
    ).toThrow(/not a preview's/);
    expect(() =>
      assertPreviewChildEnvironment({
        DATABASE_URL: "postgresql://db.internal/lotkeeper_preview",
        QUEUE_PREFIX: previewQueuePrefix("postgresql://db.internal/lotkeeper_preview"),
      }),
    ).toThrow(PreviewRefusedError);
    expect(() => assertPreviewChildEnvironment({ NODE_ENV: "production", DATABASE_URL: database, QUEUE_PREFIX: previewQueuePrefix(database) })).toThrow(
      PreviewRefusedError,
    );
    expect(() => assertPreviewChildEnvironment({})).toThrow(/got database "\(none\)"/);
  });
});
