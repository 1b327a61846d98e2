/**
 * Refuses a request whose document has no operation to run (an unknown operation name, or
 * several operations and no name), before the gateway tries to plan it. Apollo's gateway reports
 * this as an error without a code, which would otherwise reach clients as "Unexpected error.".
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, Kind } from 'graphql';

export function createRequireOperationPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (operation) return;
          const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
          const message = request.operationName
            ? `Unknown operation named "${request.operationName.slice(0, 100)}".`
            : operations > 1
              ? 'Must provide operation name if query contains multiple operations.'
              : 'The document contains no operation to run.';
          throw new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
        },
      };
    },
  };
}
