// Measures app/domain/gs1/gs1.ts against GS1's own syntax engine: the vectors in
// ../shared/conformance/gs1-vectors.json (GS1 gs1-syntax-engine unit tests and Syntax Dictionary,
// cross-checked by running the reference engine). The file is read where it lies, never copied into
// the project; the project's own rules are tested from the GS1 specifications in gs1*.test.ts.
//
// Scopes, as the file defines them:
//   core        valid -> exactly the expected fields and (AI, value) elements; invalid -> Gs1Error
//   optional    valid data using an AI the app does not use: parsed correctly OR refused with a
//               Gs1Error; a failure only when accepted with wrong values
//   association GS1 Syntax Dictionary req=/ex= rules: reported only (decision 081: a receiving dock
//               reads what it can rather than refusing a label for a missing partner AI)
//   ambiguity   the reference's default and another defensible reading differ: reported only
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Gs1Error, gs1Summary, parseGs1, type Gs1Data } from "../../app/domain/gs1/gs1";

const VECTORS = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "conformance", "gs1-vectors.json");

interface Vector {
  id: string;
  category: string;
  scope: "core" | "optional" | "association" | "ambiguity";
  input: string;
  expect: "valid" | "invalid";
  values?: Gs1Data;
  elements?: [string, string][];
  today?: string;
  note?: string;
}

type Outcome = { ok: true; values: Gs1Data; elements: [string, string][] } | { ok: false; error: unknown };

function run(v: Vector, defaultToday: string): Outcome {
  try {
    const r = parseGs1(v.input, { today: new Date(`${v.today ?? defaultToday}T12:00:00Z`) });
    return { ok: true, values: gs1Summary(r), elements: r.elements.map((e) => [e.ai, e.value]) };
  } catch (error) {
    return { ok: false, error };
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Why `v` disagrees with the reference, or null when it agrees (per its scope's rule). */
function disagreement(v: Vector, o: Outcome): string | null {
  if (!o.ok && !(o.error instanceof Gs1Error)) return `threw a non-Gs1Error: ${String(o.error)}`;
  if (v.expect === "invalid") return o.ok ? `accepted as ${JSON.stringify(o.elements)}` : null;
  if (!o.ok) return v.scope === "optional" ? null : `refused: ${(o.error as Error).message}`;
  // A vector may give only some fields (those the reference decides); the others are not compared.
  const given = Object.keys(v.values ?? {}) as (keyof Gs1Data)[];
  if (given.some((k) => o.values[k] !== v.values![k])) return `fields ${JSON.stringify(o.values)}, expected ${JSON.stringify(v.values)}`;
  if (v.elements && !same(o.elements, v.elements)) return `elements ${JSON.stringify(o.elements)}, expected ${JSON.stringify(v.elements)}`;
  return null;
}

// Core vectors where the app deliberately reads more than the reference, each with its reason in
// docs/decisions/081-gs1-conformance.md. Asserted as the lenient outcome, so a change either way shows.
const KEPT_LENIENCIES: Record<string, { why: string; lot: string }> = {
  "dl-qualifier-in-query": { why: "081: a lot (10) in a Digital Link query is read when the path has none", lot: "ABC123" },
};

describe("GS1 conformance vectors (../shared/conformance/gs1-vectors.json)", () => {
  it("the vector file is present beside the project", () => {
    // ../shared is checked out beside every worktree and on CI; without it this measurement is void.
    expect(existsSync(VECTORS), `GS1 vectors not found at ${VECTORS}: check out ../shared beside the project`).toBe(true);
  });
  if (!existsSync(VECTORS)) return;
  const file = JSON.parse(readFileSync(VECTORS, "utf8")) as { defaultToday: string; vectors: Vector[] };
  const results = file.vectors.map((v) => {
    const outcome = run(v, file.defaultToday);
    return { v, outcome, why: disagreement(v, outcome) };
  });

  it("reports agreement per scope", () => {
    const lines: string[] = [];
    const core = results.filter((r) => r.v.scope === "core");
    const kept = core.filter((r) => KEPT_LENIENCIES[r.v.id]);
    lines.push(`core: ${core.filter((r) => r.why === null).length}/${core.length} agree with the reference, ${kept.length} kept leniencies (decision 081)`);
    for (const r of kept) lines.push(`  (leniency) ${r.v.id} ${JSON.stringify(r.v.input)}: ${KEPT_LENIENCIES[r.v.id]!.why}`);
    const optional = results.filter((r) => r.v.scope === "optional");
    lines.push(
      `optional: ${optional.filter((r) => r.why === null).length}/${optional.length} acceptable (${optional.filter((r) => r.outcome.ok).length} parsed, ${optional.filter((r) => !r.outcome.ok).length} refused)`,
    );
    const association = results.filter((r) => r.v.scope === "association");
    lines.push(`association (reported only): ${association.filter((r) => !r.outcome.ok).length}/${association.length} refused as GS1's req=/ex= rules do`);
    for (const r of results.filter((x) => x.v.scope === "ambiguity")) {
      lines.push(
        `  (ambiguity) ${r.v.id} ${JSON.stringify(r.v.input)}: ${r.outcome.ok ? `read ${JSON.stringify(r.outcome.elements)}` : `refused: ${(r.outcome.error as Error).message}`}`,
      );
    }
    console.log(`GS1 conformance\n${lines.join("\n")}`);
    expect(core.length).toBeGreaterThan(0);
  });

  const asserted = results.filter((r) => (r.v.scope === "core" && !KEPT_LENIENCIES[r.v.id]) || r.v.scope === "optional");
  it.each(asserted.map((r) => [r.v.id, r.v.expect, r.v.input, r] as const))("%s (%s): %j", (_id, _expect, _input, r) => {
    expect(r.why).toBeNull();
  });

  it.each(Object.entries(KEPT_LENIENCIES))("kept leniency %s: %s", (id, { lot }) => {
    const r = results.find((x) => x.v.id === id);
    expect(r, `vector ${id} is no longer in the file: revisit decision 081`).toBeDefined();
    expect(r!.outcome.ok && r!.outcome.values.lot).toBe(lot);
  });
});
