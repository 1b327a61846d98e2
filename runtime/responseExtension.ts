/** An Apollo plugin that adds one extension to a response when `value` has something to say. */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

export function createResponseExtensionPlugin<TContext extends BaseContext>(
  name: string,
  value: (context: TContext) => unknown,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const extension = value(contextValue);
          if (extension === undefined || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, [name]: extension };
        },
      };
    },
  };
}
