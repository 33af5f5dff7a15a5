import type { AudienceDirectory } from './contact-directory.js';
import { createSubgraphClient } from './graphql-client.js';
import type { ServiceTokens } from './service-token.js';

/**
 * Anagrafe's contract for the notifier: residents of zones (`null`: the whole comune), paginated by
 * fiscal code, `after` being the last fiscal code of the previous page.
 */
const RESIDENTS_QUERY = /* GraphQL */ `
  query NotifierResidents($zones: [String!], $first: Int!, $after: String) {
    residentsInZones(zones: $zones, first: $first, after: $after) {
      nodes {
        fiscalCode
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

interface ResidentsPage {
  residentsInZones: {
    nodes: Array<{ fiscalCode: string }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** The {@link AudienceDirectory} over anagrafe's GraphQL API, with the notifier's service token. */
export function createAnagrafeAudience(anagrafeUrl: string, tokens: ServiceTokens): AudienceDirectory {
  const call = createSubgraphClient('anagrafe', anagrafeUrl, tokens);
  return {
    async *residentsInZones(comune, zones, pageSize, from = null) {
      let after: string | null = from;
      for (;;) {
        const data: ResidentsPage = await call<ResidentsPage>(comune, RESIDENTS_QUERY, {
          zones: zones === null ? null : [...zones],
          first: pageSize,
          after,
        });
        const page = data.residentsInZones;
        if (page.nodes.length > 0) yield page.nodes.map((node) => node.fiscalCode);
        if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) return;
        after = page.pageInfo.endCursor;
      }
    },
  };
}
