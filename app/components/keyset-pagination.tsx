// Next/previous for keyset-paged lists: the next page is `?after=<cursor>`; previous goes back to
// the page we came from (the cursors visited are kept in the URL as `back`). Centred, as the footer
// of the list it pages; nothing when the list fits on one page.
import { useSearchParams } from "@remix-run/react";
import { Pagination } from "@shopify/polaris";

/** The search params with one filter or sort changed; a new filter starts again from the first page. */
export function withFilter(params: URLSearchParams, name: string, value: string): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value) next.set(name, value);
  else next.delete(name);
  next.delete("after");
  next.delete("back");
  return next;
}

export function KeysetPagination({ nextCursor, label }: { nextCursor: string | null; label?: string }) {
  const [params, setParams] = useSearchParams();
  const back = params.get("back")?.split(",").filter(Boolean) ?? [];
  const current = params.get("after");
  // One page only: no footer (two greyed-out arrows say nothing).
  if (!current && !nextCursor) return null;
  return (
    <div style={{ padding: "var(--p-space-300)", display: "flex", justifyContent: "center" }}>
      <Pagination
        hasPrevious={Boolean(current)}
        hasNext={Boolean(nextCursor)}
        label={label}
        onPrevious={() => {
          const next = new URLSearchParams(params);
          const previous = back.pop();
          if (previous && previous !== "-") next.set("after", previous);
          else next.delete("after");
          if (back.length) next.set("back", back.join(","));
          else next.delete("back");
          setParams(next);
        }}
        onNext={() => {
          if (!nextCursor) return;
          const next = new URLSearchParams(params);
          next.set("back", [...back, current ?? "-"].join(","));
          next.set("after", nextCursor);
          setParams(next);
        }}
      />
    </div>
  );
}
