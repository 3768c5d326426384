/** The three languages every user-facing message is given in (CONTRACT §4, §6). */
export const LANGS = ['ky', 'ru', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** A message in Kyrgyz, Russian and English. */
export interface Text {
  ky: string;
  ru: string;
  en: string;
}

/** Picks the best language from an Accept-Language header; English when nothing matches. */
export function pickLang(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.split('-')[0], q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if ((LANGS as readonly string[]).includes(tag)) return tag as Lang;
  }
  return 'en';
}
