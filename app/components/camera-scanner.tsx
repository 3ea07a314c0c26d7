// Scanning with a phone's camera at the pack station (docs/decisions/104-pack-station.md): the
// browser's own BarcodeDetector where it has one (Chrome on Android, ChromeOS, macOS), else
// zxing-wasm (ZXing-C++ compiled to WebAssembly), loaded only when the camera is started and with
// its .wasm served by this app, never by a CDN. Each code read is handed to onScan as a wedge
// scanner's text would be; the same code is not handed again within two seconds (the camera sees
// it in every frame).
import { Button, InlineStack, Text } from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";

const FORMATS = ["code_128", "data_matrix", "qr_code", "ean_13", "ean_8", "upc_a", "itf"];
const REPEAT_MS = 2000;

type Detect = (video: HTMLVideoElement) => Promise<string[]>;

interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}

async function nativeDetector(): Promise<Detect | null> {
  const Native = (window as unknown as { BarcodeDetector?: { new (o: { formats: string[] }): BarcodeDetectorLike; getSupportedFormats(): Promise<string[]> } })
    .BarcodeDetector;
  if (!Native) return null;
  const supported = await Native.getSupportedFormats().catch(() => [] as string[]);
  // Some browsers define the class without a platform detector behind it (no formats at all), or
  // without the symbols GS1 labels use: then zxing reads them.
  if (!["code_128", "data_matrix"].every((f) => supported.includes(f))) return null;
  const detector = new Native({ formats: FORMATS.filter((f) => supported.includes(f)) });
  return async (video) => (await detector.detect(video)).map((b) => b.rawValue);
}

async function zxingDetector(): Promise<Detect> {
  const [{ prepareZXingModule, readBarcodes }, { default: wasmUrl }] = await Promise.all([
    import("zxing-wasm/reader"),
    import("zxing-wasm/reader/zxing_reader.wasm?url"),
  ]);
  prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith(".wasm") ? wasmUrl : prefix + path) } });
  const canvas = document.createElement("canvas");
  return async (video) => {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    if (!context || canvas.width === 0) return [];
    context.drawImage(video, 0, 0);
    // Text mode HRI: a GS1 symbol reads as "(01)...(10)...", which parseGs1 takes as it is.
    const found = await readBarcodes(context.getImageData(0, 0, canvas.width, canvas.height), { tryHarder: true, maxNumberOfSymbols: 1, textMode: "HRI" });
    return found.filter((b) => b.isValid).map((b) => b.text);
  };
}

export function CameraScanner({ onScan }: { onScan: (text: string) => void }) {
  const [on, setOn] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const handler = useRef(onScan);
  handler.current = onScan;

  useEffect(() => {
    if (!on) return;
    let stopped = false;
    let stream: MediaStream | null = null;
    const last = { text: "", at: 0 };
    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
        const el = video.current!;
        el.srcObject = stream;
        await el.play();
        const detect = (await nativeDetector()) ?? (await zxingDetector());
        while (!stopped) {
          for (const text of await detect(el)) {
            const now = Date.now();
            if (text === last.text && now - last.at < REPEAT_MS) continue;
            last.text = text;
            last.at = now;
            handler.current(text);
          }
          await new Promise((r) => setTimeout(r, 150));
        }
      } catch (error) {
        if (!stopped) setProblem(`The camera cannot scan here: ${error instanceof Error ? error.message : String(error)}. Use a scanner or type the code.`);
      }
    })();
    return () => {
      stopped = true;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [on]);

  return (
    <>
      <InlineStack gap="200" blockAlign="center">
        <Button
          onClick={() => {
            setProblem(null);
            setOn(!on);
          }}
        >
          {on ? "Stop camera" : "Scan with camera"}
        </Button>
        {problem ? (
          <Text as="span" tone="critical">
            {problem}
          </Text>
        ) : null}
      </InlineStack>
      {on ? <video ref={video} muted playsInline style={{ width: "100%", maxWidth: 480 }} /> : null}
    </>
  );
}
