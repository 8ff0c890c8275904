// Sample front-end code: a partner's participations (a nested connection) read from
// the newest end backwards, refetched through Query.node.
import { graphql } from "react-relay";

export const participations = graphql`
  fragment PartnerParticipations_partner on Partner
  @argumentDefinitions(count: { type: "Int", defaultValue: 5 }, cursor: { type: "String" })
  @refetchable(queryName: "PartnerParticipationsPaginationQuery") {
    name
    participations(last: $count, before: $cursor)
      @connection(key: "PartnerParticipations_participations") {
      edges {
        node {
          role
          collaboration {
            id
            title
          }
        }
      }
    }
  }
`;

export const agreementsBackwards = graphql`
  query PartnerParticipationsAgreementsQuery($count: Int!, $cursor: String, $on: Date) {
    agreements(last: $count, before: $cursor, filter: { inForceOn: $on })
      @connection(key: "Agreements_agreements", filters: ["filter"]) {
      edges {
        node {
          id
          title
          concludedOn
        }
      }
    }
  }
`;
