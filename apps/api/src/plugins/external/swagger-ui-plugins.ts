/**
 * Swagger UI plugins. These functions run in the browser: @fastify/swagger-ui writes their source
 * text into the page, so each uses only its arguments and the page's globals, nothing imported.
 */

/** The slice of Immutable.js that the plugins read (Swagger UI keeps its state in Immutable maps). */
interface ImmutableMap {
  get(key: string): unknown;
  getIn(path: string[]): unknown;
  keySeq(): { first(): unknown };
  entrySeq(): { find(predicate: (entry: [string, ImmutableMap]) => boolean): [string, ImmutableMap] | undefined };
  size: number;
}

interface SwaggerSystem {
  specSelectors: { isOAS3(): boolean; specJson(): ImmutableMap };
}

/** Swagger UI's own plugin for the top bar's URL field; naming `plugins` replaces the default list. */
export function downloadUrlPlugin(system: unknown): unknown {
  return (globalThis as unknown as { SwaggerUIBundle: { plugins: { DownloadUrl(system: unknown): unknown } } }).SwaggerUIBundle.plugins.DownloadUrl(system);
}

/**
 * The media type an operation's answer is shown in is the `Accept` its request sends.
 *
 * Swagger UI shows the first 2xx response's "Media type" drop-down (which "controls the Accept
 * header") with `application/json` selected whenever that is one of its options, but until a person
 * changes the drop-down it sends `Accept: *∕*`. For `get_report`, whose complete answer is the CSV
 * unless JSON is asked for, picking the JSON that is already shown changed nothing and the CSV came
 * back. With this plugin the drop-down starts at the first media type the document lists, and that
 * same type is sent until another is picked.
 */
export function acceptAsShownPlugin(system: SwaggerSystem): unknown {
  const firstListedType = (path: string, method: string): string | null => {
    const responses = system.specSelectors.specJson().getIn(['paths', path, method, 'responses']) as ImmutableMap | undefined;
    if (!responses || typeof responses.entrySeq !== 'function') return null;
    const success = responses.entrySeq().find(([code, response]) => {
      const content = response && typeof response.get === 'function' ? (response.get('content') as ImmutableMap | undefined) : undefined;
      return String(code).startsWith('2') && content !== undefined && content.size > 0;
    });
    if (!success) return null;
    const first = (success[1].get('content') as ImmutableMap).keySeq().first();
    return typeof first === 'string' ? first : null;
  };
  // A wrapped selector gets the original already bound to the state: it is called without it.
  return {
    statePlugins: {
      spec: {
        wrapSelectors: {
          // What the drop-down shows until a person picks: Swagger UI's own fallback is a fixed application/json.
          currentProducesFor:
            (original: (pathMethod?: string[]) => unknown) =>
            (_state: unknown, pathMethod?: string[]) => {
              const shown = original(pathMethod);
              const [path, method] = pathMethod ?? [];
              const listed = system.specSelectors.isOAS3() && path && method ? firstListedType(path, method) : null;
              return shown === 'application/json' && listed ? listed : shown;
            },
        },
      },
      oas3: {
        wrapSelectors: {
          // What the request sends: the picked type, else the one shown.
          responseContentType:
            (original: (path: string, method: string) => unknown) =>
            (_state: unknown, path: string, method: string) =>
              original(path, method) ?? firstListedType(path, method),
        },
      },
    },
  };
}
