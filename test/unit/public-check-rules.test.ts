import { describe, expect, it } from "vitest";
import { escapeHtml, publicLotKey, renderPublicCheck } from "../../app/domain/recall/public-check-rules";

describe("public recall check rules", () => {
  it("reads the GTIN and lot of a Digital Link path, with a stem, a short GTIN or an encoded lot", () => {
    expect(publicLotKey("/01/09506000134352/10/ABC123")).toEqual({ gtin: "09506000134352", lot: "ABC123" });
    expect(publicLotKey("/products/01/9506000134352/10/A%2FB")).toEqual({ gtin: "09506000134352", lot: "A/B" });
    expect(publicLotKey("/01/09506000134352/10/L1/21/SER9")).toEqual({ gtin: "09506000134352", lot: "L1" });
  });

  it("reads nothing from a path without both a valid GTIN and a lot", () => {
    for (const path of ["", "/", "/01/09506000134352", "/01/09506000134353/10/L1", "/10/L1", "/hello/world"]) expect(publicLotKey(path)).toBeNull();
  });

  it("escapes markup and template braces", () => {
    expect(escapeHtml(`<a href="x">{{ shop }}</a>&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&#123;&#123; shop &#125;&#125;&lt;/a&gt;&amp;&#39;");
  });

  it("words a recalled lot with what to do by class", () => {
    const key = { gtin: "09506000134352", lot: "L1" };
    const page = renderPublicCheck(
      { kind: "recalled", key, product: "Honey", reason: "Glass", severity: "CLASS_III", openedOn: "2026-12-01" },
      "s.myshopify.com",
    );
    expect(page.status).toBe(200);
    expect(page.html).toContain("RECALLED");
    expect(page.html).toContain("You may contact the store");
    expect(renderPublicCheck({ kind: "unknown", key }, "s.myshopify.com").status).toBe(404);
  });
});
