// Sample front-end code: the partners list, read backwards and forwards with Relay's
// usePaginationFragment (compiled by relay-compiler against schema/schema.graphql).
import { graphql } from "react-relay";

export const partnerList = graphql`
  fragment PartnerList_query on Query
  @argumentDefinitions(
    first: { type: "Int" }
    after: { type: "String" }
    last: { type: "Int", defaultValue: 20 }
    before: { type: "String" }
    orderBy: { type: "PartnerOrder" }
  )
  @refetchable(queryName: "PartnerListPaginationQuery") {
    partners(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy)
      @connection(key: "PartnerList_partners", filters: ["orderBy"]) {
      totalCount
      edges {
        node {
          id
          name
          updatedAt
        }
      }
    }
  }
`;

export const partnersQuery = graphql`
  query PartnerListQuery($last: Int, $before: String, $orderBy: PartnerOrder) {
    ...PartnerList_query @arguments(last: $last, before: $before, orderBy: $orderBy)
  }
`;
