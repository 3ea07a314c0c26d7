// Downloads a file from the app with the session token (App Bridge adds it to fetch; a plain
// link would not carry it) and saves it under the server's file name.
import { Button } from "@shopify/polaris";
import { useState } from "react";

export function DownloadButton({ url, children }: { url: string; children: string }) {
  const [state, setState] = useState<"idle" | "loading" | "error">("idle");
  const download = async () => {
    setState("loading");
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${response.status}`);
      const blob = await response.blob();
      const disposition = response.headers.get("Content-Disposition") ?? "";
      const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "download";
      const href = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = href;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
      setState("idle");
      (window as unknown as { shopify?: { toast?: { show: (m: string) => void } } }).shopify?.toast?.show(`Downloaded ${name}`);
    } catch {
      setState("error");
      (window as unknown as { shopify?: { toast?: { show: (m: string, o: object) => void } } }).shopify?.toast?.show("Download failed: try again", {
        isError: true,
      });
    }
  };
  return (
    <Button onClick={download} loading={state === "loading"}>
      {children}
    </Button>
  );
}
