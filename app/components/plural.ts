// "1 unit", "2 units": counts in what the merchant reads (toasts, banners, headings).
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
