import { describe, expect, it } from "vitest";
import { assertPreviewAllowed, isLoopbackHost, PreviewRefusedError } from "./guard";

describe("preview guard", () => {
  it("accepts only loopback hosts", () => {
    for (const host of ["127.0.0.1", "127.5.6.7", "localhost", "::1", "[::1]"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.com", "127.0.0.1.nip.io", "128.0.0.1", "127.0.0.256"]) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });

  it("refuses production and public hosts with a message saying what to do", () => {
    expect(() => assertPreviewAllowed({ nodeEnv: "production", host: "127.0.0.1" })).toThrow(PreviewRefusedError);
    expect(() => assertPreviewAllowed({ nodeEnv: "production", host: "127.0.0.1" })).toThrow(/NODE_ENV is production/);
    expect(() => assertPreviewAllowed({ nodeEnv: "development", host: "0.0.0.0" })).toThrow(/loopback address/);
    expect(() => assertPreviewAllowed({ nodeEnv: "development", host: "127.0.0.1" })).not.toThrow();
    expect(() => assertPreviewAllowed({ nodeEnv: undefined, host: "localhost" })).not.toThrow();
  });
});
