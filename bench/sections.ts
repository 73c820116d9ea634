/** The bench's sections: their names (the keys of the JSON report) and what each measures. */

/** In the order they run. */
export const SECTIONS = ['digest', 'polling', 'coldStart', 'scale', 'serviceAccounts'] as const;
export type Section = (typeof SECTIONS)[number];

export const SECTION_SUMMARIES: Readonly<Record<Section, string>> = {
  digest: 'Atlas requests per call: our Digest client against one that answers every challenge afresh',
  polling: 'lag and Atlas reads of our polling against fixed 10 s and 20 s polling',
  coldStart: "each handler's bundle size and require() time, bundled and unbundled",
  scale: 'many executions on one project against an Atlas rate limit, started at once and spread out',
  serviceAccounts: 'service-account cold starts, each fetching its own token, against 10 tokens a minute',
};
