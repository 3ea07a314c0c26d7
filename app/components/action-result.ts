// Actions answer { ok, message } (or { ok: false, errors }); pages show the message as a toast
// through App Bridge (the preview's stand-in draws it too), so every action says what it did.
import { useEffect, useRef } from "react";

export interface ActionResult {
  ok: boolean;
  message?: string;
  /** Field -> problem, for forms. */
  errors?: Record<string, string>;
  /** A problem that is not about one field. */
  error?: string;
}

export function ok(message: string, extra: Record<string, unknown> = {}) {
  return { ok: true as const, message, ...extra };
}

export function failed(error: string, errors: Record<string, string> = {}) {
  return { ok: false as const, error, errors };
}

/**
 * A refused form: each problem under the label the merchant sees on the form (the domain names
 * fields as the CLI does, e.g. `delta`), so the banner reads "Units: ..." and not "delta: ...".
 * The field errors stay keyed by the domain's field name for the inputs to pick up.
 */
export function problemsFailed(problems: { field: string; message: string }[], labels: Record<string, string>, prefix = "") {
  const text = problems.map((p) => `${labels[p.field] ?? p.field}: ${p.message}`).join("; ");
  return failed(`${prefix}${text}`, Object.fromEntries(problems.map((p) => [p.field, p.message])));
}

/** Shows a toast once per new result. */
export function useResultToast(result: ActionResult | undefined): void {
  const last = useRef<ActionResult | undefined>(undefined);
  useEffect(() => {
    if (!result || result === last.current) return;
    last.current = result;
    const shopify = (window as unknown as { shopify?: { toast?: { show: (m: string, o?: { isError?: boolean }) => void } } }).shopify;
    if (result.ok && result.message) shopify?.toast?.show(result.message);
    else if (!result.ok && result.error) shopify?.toast?.show(result.error, { isError: true });
  }, [result]);
}
