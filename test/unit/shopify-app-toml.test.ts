// shopify.app.toml is what Shopify reads at deploy: the topics it subscribes and the scopes it
// asks for must be the ones the app handles and runs with. A topic subscribed without a handler,
// or a handler Shopify never sends, or scopes that drift from SCOPES, fails here.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SUBSCRIBED_TOPICS, topicHandlers } from "../../app/domain/webhooks/topics.server";
import { DEFAULT_SCOPES } from "../../app/env.server";
import { API_VERSION } from "../../app/lib/shopify-api-version";
import { APP_URL } from "../../app/lib/extension-api";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const toml = readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8")
  .split("\n")
  .map((line) => line.replace(/(^|\s)#.*$/, ""))
  .join("\n");

/** Every string of every `<key> = [...]` array (the arrays may span lines). */
function arrays(key: string): string[] {
  const values: string[] = [];
  for (const match of toml.matchAll(new RegExp(`^\\s*${key}\\s*=\\s*\\[([^\\]]*)\\]`, "gm"))) {
    values.push(...[...match[1]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!));
  }
  return values;
}

function scopesOf(list: string): string[] {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .sort();
}

describe("shopify.app.toml", () => {
  const topics = arrays("topics");
  const compliance = arrays("compliance_topics");

  it("subscribes exactly SUBSCRIBED_TOPICS, each once, with the three compliance topics as compliance_topics", () => {
    expect(topics.length).toBeGreaterThan(0);
    const all = [...topics, ...compliance];
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual([...SUBSCRIBED_TOPICS].sort());
    expect([...compliance].sort()).toEqual(["customers/data_request", "customers/redact", "shop/redact"]);
  });

  it("sends every subscription to the one /webhooks endpoint", () => {
    const uris = [...toml.matchAll(/^\s*uri\s*=\s*"([^"]*)"/gm)].map((m) => m[1]);
    const subscriptions = [...toml.matchAll(/^\s*\[\[webhooks\.subscriptions\]\]/gm)].length;
    expect(uris).toHaveLength(subscriptions);
    expect(new Set(uris)).toEqual(new Set(["/webhooks"]));
  });

  it("has a handler for every subscribed topic, and no handler for a topic it does not subscribe", () => {
    const withoutHandler = SUBSCRIBED_TOPICS.filter((topic) => (topicHandlers[topic] ?? []).length === 0);
    expect(withoutHandler).toEqual([]);
    expect(Object.keys(topicHandlers).filter((topic) => !(SUBSCRIBED_TOPICS as readonly string[]).includes(topic))).toEqual([]);
  });

  it("asks for the scopes of DEFAULT_SCOPES and of SCOPES in .env.example", () => {
    const declared = [...toml.matchAll(/^\s*scopes\s*=\s*"([^"]*)"/gm)].map((m) => m[1]!);
    expect(declared).toHaveLength(1);
    const scopes = scopesOf(declared[0]!);
    expect(scopes).toEqual(scopesOf(DEFAULT_SCOPES));
    const example = readFileSync(path.join(ROOT, ".env.example"), "utf8").match(/^SCOPES=(.*)$/m);
    expect(example, ".env.example sets SCOPES").not.toBeNull();
    expect(scopesOf(example![1]!)).toEqual(scopes);
  });

  it("delivers webhooks in the Admin API version the app pins (app/lib/shopify-api-version.ts)", () => {
    expect([...toml.matchAll(/^\s*api_version\s*=\s*"([^"]*)"/gm)].map((m) => m[1])).toEqual([API_VERSION]);
  });

  it("gives the customer account recall banner the app's URL, and the network access it needs to fetch it", () => {
    // Customer account extensions fetch absolute URLs only: APP_URL must follow application_url.
    expect(toml.match(/^\s*application_url\s*=\s*"([^"]*)"/m)?.[1]).toBe(APP_URL);
    const banner = readFileSync(path.join(ROOT, "extensions", "order-recall-banner", "shopify.extension.toml"), "utf8");
    expect(banner).toMatch(/^\[extensions\.capabilities\]\s*\nnetwork_access = true$/m);
  });
});
