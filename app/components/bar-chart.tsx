// A plain SVG bar chart for a report's points (one bar per point, one series): no chart library,
// so it renders on the server and in the embedded admin alike. The table under it carries the
// same figures for screen readers and for copying.
import { Text } from "@shopify/polaris";

export interface BarChartProps {
  title: string;
  points: Record<string, string | number | null>[];
  x: string;
  y: string;
  /** Shown under each bar's label (e.g. the value at cost); optional. */
  caption?: (point: Record<string, string | number | null>) => string;
}

const BAR_WIDTH = 64;
const GAP = 24;
const HEIGHT = 160;
/** Room above the tallest bar for its figure. */
const TOP = 20;

export function BarChart({ title, points, x, y, caption }: BarChartProps) {
  const max = Math.max(1, ...points.map((p) => Number(p[y] ?? 0)));
  const width = points.length * (BAR_WIDTH + GAP);
  return (
    <figure style={{ margin: 0 }}>
      <svg role="img" aria-label={title} viewBox={`0 0 ${width} ${TOP + HEIGHT + 56}`} style={{ width: "100%", maxWidth: width, height: "auto" }}>
        {points.map((point, i) => {
          const value = Number(point[y] ?? 0);
          const h = Math.round((value / max) * HEIGHT);
          const left = i * (BAR_WIDTH + GAP) + GAP / 2;
          return (
            <g key={String(point[x])} data-bar={String(point[x])}>
              <title>{`${point[x]}: ${value}`}</title>
              <rect x={left} y={TOP + HEIGHT - h} width={BAR_WIDTH} height={Math.max(h, 1)} rx={4} fill={point[x] === "expired" ? "#c5280c" : "#2c6ecb"} />
              <text x={left + BAR_WIDTH / 2} y={TOP + HEIGHT - h - 6} textAnchor="middle" fontSize="13">
                {value}
              </text>
              <text x={left + BAR_WIDTH / 2} y={TOP + HEIGHT + 20} textAnchor="middle" fontSize="13">
                {String(point[x])}
              </text>
              {caption ? (
                <text x={left + BAR_WIDTH / 2} y={TOP + HEIGHT + 40} textAnchor="middle" fontSize="11" fill="#616161">
                  {caption(point)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <Text as="span" tone="subdued" variant="bodySm">
          {title}
        </Text>
      </figcaption>
    </figure>
  );
}
